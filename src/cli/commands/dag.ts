/**
 * `xpipe dag [STAGE] [--mermaid|--dot|--json]`: the stage graph, as a layered ASCII drawing by default.
 */
import type { Command, ExitCode } from './types.js';
import { printDiagnostics } from './shared.js';

const command: Command = {
  name: 'dag',
  summary: 'Draw the stage graph (ASCII, Mermaid, DOT or JSON)',
  usage: 'xpipe dag [STAGE] [--mermaid | --dot | --json]',
  description:
    'Stages are boxes, arrows point from a stage to the stages that use its outs. With STAGE, only that stage and its upstream are drawn.',
  positionals: true,
  options: [
    { name: 'mermaid', type: 'boolean', description: 'Print a Mermaid flowchart (paste it into Markdown)' },
    { name: 'dot', type: 'boolean', description: 'Print a Graphviz digraph (`xpipe dag --dot | dot -Tsvg > dag.svg`)' },
    { name: 'json', type: 'boolean', description: 'Print {nodes, edges} as JSON' },
  ],
  examples: [
    { command: 'xpipe dag', description: 'Draw the whole pipeline' },
    { command: 'xpipe dag evaluate', description: 'Only evaluate and the stages it needs' },
    { command: 'xpipe dag --mermaid', description: 'A Mermaid diagram for the README' },
  ],
  async run(args, io): Promise<ExitCode> {
    const formats = ['mermaid', 'dot', 'json'].filter((f) => args.options[f]);
    if (formats.length > 1) {
      io.stderr.write(`error: choose one of --mermaid, --dot and --json (got --${formats.join(' and --')}).\n`);
      return 2;
    }
    if (args.positionals.length > 1) {
      io.stderr.write(`error: "xpipe dag" takes at most one stage, got ${args.positionals.join(', ')}.\n`);
      return 2;
    }
    const { openProject, plainGraph, loadReports } = await import('../../engine/index.js');
    const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
    if (!project.ok) return printDiagnostics(io, project.error);
    let graph = plainGraph(project.value);
    const stage = args.positionals[0];
    if (stage !== undefined) {
      if (!graph.nodes.includes(stage)) {
        io.stderr.write(
          `error: unknown stage "${stage}". Stages in pipeline.yaml: ${graph.nodes.join(', ') || 'none'}.\n`,
        );
        return 2;
      }
      const { upstreamOf } = await loadReports();
      graph = upstreamOf(graph, stage);
    }
    const { renderDagAscii } = await import('../render/dag-ascii.js');
    const text = await import('../render/dag-text-formats.js');
    const out = args.options['mermaid']
      ? text.renderDagMermaid(graph)
      : args.options['dot']
        ? text.renderDagDot(graph)
        : args.options['json']
          ? text.renderDagJson(graph)
          : renderDagAscii(graph);
    io.stdout.write(`${out}\n`);
    return 0;
  },
};

export default command;
