import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { verifyPackage } from '../../modules/archive/package-verify';

/** `evarchive package verify <zip> [--json] [--trusted-cert PEM]`: any changed byte, missing or extra file, bad signature. */
export function packageCommand(program: Command): void {
  const pkg = program.command('package').description('archival packages (归档信息包)');
  pkg
    .command('verify <zip>')
    .description('verify an archival package offline; exit code 1 naming each problem')
    .option('--json', 'print the verdict as JSON')
    .option('--trusted-cert <pem>', 'require the manifest to be signed with this certificate')
    .action(async (zip: string, opts: { json?: boolean; trustedCert?: string }) => {
      const v = await verifyPackage(readFileSync(zip), { trustedCertificatePem: opts.trustedCert ? readFileSync(opts.trustedCert, 'utf8') : undefined });
      if (opts.json) process.stdout.write(JSON.stringify({ ok: v.ok, problems: v.problems, signature: v.signature, volume: v.volume, files: v.files.length, sha256: v.sha256, sm3: v.sm3 }, null, 2) + '\n');
      else if (v.ok) process.stdout.write(`package ok: ${v.volume?.archivalCode} — ${v.files.length} files verified (SHA-256 and SM3), manifest signed by ${v.signature?.signer} (${v.signature?.algorithm})\n`);
      else process.stderr.write(`package BROKEN: ${v.problems.length} problem(s)\n${v.problems.map((p) => `  ${p.kind}${p.path ? ` ${p.path}` : ''}: ${p.message}`).join('\n')}\n`);
      if (!v.ok) process.exitCode = 1;
    });
}
