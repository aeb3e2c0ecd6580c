import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { verifyXmlSignature } from '../../modules/archive/xmlsig';
import { verifyDetached } from '../../modules/checks/report-signature';

/** `evarchive report verify <file> [--sig FILE] [--trusted-cert PEM]`: the check report's signature. */
export function reportCommand(program: Command): void {
  const report = program.command('report').description('check reports (四性检测报告)');
  report
    .command('verify <file>')
    .description('verify a check report: a PDF against its detached SM2 signature (<file>.sig), or an XML report’s enveloped signature; exit code 1 on tamper')
    .option('--sig <file>', 'the detached signature (default <file>.sig)')
    .option('--trusted-cert <pem>', 'require this signing certificate (e.g. <dataDir>/keys/sm2-signing.crt.pem)')
    .action(async (file: string, opts: { sig?: string; trustedCert?: string }) => {
      const bytes = readFileSync(file);
      const trusted = opts.trustedCert ? readFileSync(opts.trustedCert, 'utf8') : undefined;
      const isXml = bytes.subarray(0, 64).toString('utf8').trimStart().startsWith('<');
      if (isXml) {
        const v = verifyXmlSignature(bytes.toString('utf8'), { trustedCertificatePem: trusted });
        if (v.ok) process.stdout.write(`report signature ok: signed by ${v.signer} (${v.algorithm})\n`);
        else process.stderr.write(`report signature INVALID: ${v.message}\n`);
        if (!v.ok) process.exitCode = 1;
        return;
      }
      const sigPath = opts.sig ?? `${file}.sig`;
      if (!existsSync(sigPath)) {
        process.stderr.write(`report signature INVALID: no detached signature at ${sigPath}\n`);
        process.exitCode = 1;
        return;
      }
      const v = verifyDetached(bytes, readFileSync(sigPath), { trustedCertificatePem: trusted });
      if (v.ok) process.stdout.write(`report signature ok: SM2/SM3 by ${v.signer} at ${v.signedAt} (certificate SHA-256 ${v.certificateSha256})\n`);
      else process.stderr.write(`report signature INVALID:\n${v.problems.map((p) => `  ${p}`).join('\n')}\n`);
      if (!v.ok) process.exitCode = 1;
    });
}
