import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { All, Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError } from '../errors/errors';
import { SIGNED_REQUEST_SCHEME } from '../http/openapi';
import { AuthService, LockedError, SESSION_COOKIE } from './auth.service';
import { CurrentPrincipal, Public, RequestIp, Roles } from './decorators';
import { bodySha256, sessionCookie } from './http';
import type { ClientPrincipal, Principal } from './principal';
import { CLIENT_ROLE_IDS } from './roles';
import { UserService } from './user.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UserService,
  ) {}

  /** 200 {user, token, expiresAt} + the session cookie; 401 invalid_credentials; 423 {code:'locked', until}. */
  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: any, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    try {
      const r = await this.auth.login(body?.username, body?.password, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
      reply.header('set-cookie', sessionCookie(SESSION_COOKIE, r.token, { expires: r.expiresAt, secure: req.protocol === 'https' }));
      return { user: r.user, token: r.token, expiresAt: r.expiresAt.toISOString() };
    } catch (e) {
      // The web app reads `until` at the top level; the shared error shape keeps it in details as well.
      if (e instanceof LockedError) {
        reply.status(423);
        return { code: e.code, message: e.message, until: e.until.toISOString(), details: e.details };
      }
      throw e;
    }
  }

  @Post('logout')
  @HttpCode(200)
  async logout(@CurrentPrincipal() p: Principal, @RequestIp() ip: string | null, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    if (p.kind === 'user') await this.auth.logout(p, ip);
    reply.header('set-cookie', sessionCookie(SESSION_COOKIE, '', { expires: new Date(0), secure: req.protocol === 'https' }));
    return { ok: true };
  }

  /** Body `{currentPassword, newPassword}`; the user's other sessions end. */
  @Post('password')
  @HttpCode(200)
  async changePassword(@CurrentPrincipal() p: Principal, @Body() body: any, @RequestIp() ip: string | null) {
    if (p.kind !== 'user') throw new ForbiddenError('only people have passwords');
    await this.auth.changeOwnPassword(p, body?.currentPassword, body?.newPassword, ip);
    return { ok: true };
  }

  /**
   * For connector developers: a correctly signed request (any method, any body) gets the client it was
   * recognised as and the body digest the server computed; a wrong one gets 401 naming the reason.
   */
  @All('client')
  @HttpCode(200)
  @Roles(...CLIENT_ROLE_IDS)
  @ApiOperation({ summary: 'API clients: test your request signing (any method, any body)', description: 'A correctly signed request answers 200 `{client: {id, keyId, name, role, unitIds}, bodySha256}` (the SHA-256 the server computed of the body); a refused one answers 401 with the reason.' })
  @ApiSecurity(SIGNED_REQUEST_SCHEME)
  client(@CurrentPrincipal() p: ClientPrincipal, @Req() req: FastifyRequest) {
    return { client: { id: p.id, keyId: p.keyId, name: p.name, role: p.role, unitIds: p.grants.map((g) => g.unitId) }, bodySha256: bodySha256(req) };
  }

  @Get('me')
  async me(@CurrentPrincipal() p: Principal) {
    return { user: await this.users.view(p.id) };
  }
}
