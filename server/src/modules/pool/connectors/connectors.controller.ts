import { Controller } from '@nestjs/common';

@Controller('pool/connectors')
export class ConnectorsController {}
