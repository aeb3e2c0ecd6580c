import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAppContext } from '../../main';
import { ChecksService } from '../../modules/checks/checks.service';
import { NATURE_NAMES, NATURES, parseStage } from '../../modules/checks/scheme';
import { loadConfig } from '../../platform/config/config';

/** `evarchive check --volume <id|档号> [--stage GD] [--out DIR] [--json]`: four-nature checks with a signed report. */
export function checkCommand(program: Command): void {
  program
    .command('check')
    .description('run the four-nature checks (四性检测, DA/T 70) on a volume; exit code 1 when a veto item fails')
    .requiredOption('--volume <ref>', 'volume id or 档号')
    .option('--stage <stage>', 'GD (归档), YJ (移交与接收) or BC (长期保存, on the archived snapshot)', 'GD')
    .option('--out <dir>', 'write the report (PDF, .sig, XML) into this folder', '.')
    .option('--json', 'print the run (summary and every result) as JSON')
    .action(async (opts: { volume: string; stage: string; out: string; json?: boolean }) => {
      const stage = parseStage(opts.stage);
      const ctx = await createAppContext(loadConfig(), { jobs: false });
      try {
        const r = await ctx.get(ChecksService).checkVolume(opts.volume, stage, { type: 'system', id: null, name: `cli:${process.env.USER ?? 'operator'}` });
        const dir = resolve(opts.out);
        mkdirSync(dir, { recursive: true });
        const label = String(r.run.subject.metadata.archivalCode ?? r.run.subject.id).replace(/[^\w.\u4e00-\u9fff·-]/g, '_');
        const pdfPath = join(dir, `check-report-${label}-${stage}.pdf`);
        writeFileSync(pdfPath, r.reportPdf);
        writeFileSync(`${pdfPath}.sig`, r.reportSig);
        writeFileSync(pdfPath.replace(/\.pdf$/, '.xml'), r.reportXml);
        const s = r.run.summary;
        if (opts.json) {
          process.stdout.write(JSON.stringify({ runId: r.id, report: pdfPath, reportKey: r.reportPdfKey, ...r.run }, null, 2) + '\n');
        } else {
          const out: string[] = [];
          out.push(`四性检测 ${stage} ${r.run.subject.metadata.archivalCode ?? r.run.subject.id}: ${s.verdict.toUpperCase()} — ${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.notApplicable} n/a (scheme ${r.run.schemeId}@${r.run.schemeVersion}, run ${r.id})`);
          for (const n of NATURES) out.push(`  ${NATURE_NAMES[n]} ${n}: ${s.byNature[n].pass} pass, ${s.byNature[n].fail} fail, ${s.byNature[n].warn} warn`);
          for (const v of s.vetoFailures) out.push(`  VETO ${v.code} ${v.name} [${v.itemId}]: ${v.message}`);
          out.push(`report: ${pdfPath} (signature ${pdfPath}.sig; stored as ${r.reportPdfKey})`);
          process.stdout.write(out.join('\n') + '\n');
        }
        if (s.vetoFailures.length) process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });
}
