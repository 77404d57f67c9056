// `lifeline completion bash|zsh|fish`: shell completion for the verbs and their options, generated
// from the commander program itself so it never drifts from the real CLI.
import type { Command } from 'commander';

function tree(program: Command): { path: string; options: string[] }[] {
  const out: { path: string; options: string[] }[] = [];
  const walk = (c: Command, prefix: string[]) => {
    for (const sub of c.commands) {
      const path = [...prefix, sub.name()];
      out.push({ path: path.join(' '), options: sub.options.map((o) => o.long).filter((o): o is string => !!o) });
      walk(sub, path);
    }
  };
  walk(program, []);
  return out;
}

export function completionScript(program: Command, shell: 'bash' | 'zsh' | 'fish'): string {
  const verbs = tree(program);
  const top = program.commands.map((c) => c.name());
  const global = program.options
    .map((o) => o.long)
    .filter(Boolean)
    .join(' ');
  if (shell === 'fish') {
    const lines = [
      '# lifeline completion for fish: lifeline completion fish > ~/.config/fish/completions/lifeline.fish',
      'complete -c lifeline -f',
    ];
    for (const v of top) lines.push(`complete -c lifeline -n '__fish_use_subcommand' -a ${v}`);
    for (const v of verbs.filter((x) => x.path.includes(' '))) {
      const [parent, child] = v.path.split(' ');
      lines.push(`complete -c lifeline -n '__fish_seen_subcommand_from ${parent}' -a ${child}`);
    }
    for (const v of verbs)
      for (const o of v.options)
        lines.push(
          `complete -c lifeline -n '__fish_seen_subcommand_from ${v.path.split(' ').pop()}' -l ${o.replace(/^--/, '')}`,
        );
    return `${lines.join('\n')}\n`;
  }
  const cases = verbs
    .map(
      (v) =>
        `    "${v.path}") words="${[...(program.commands.find((c) => c.name() === v.path)?.commands.map((c) => c.name()) ?? []), ...v.options, global].join(' ').trim()}" ;;`,
    )
    .join('\n');
  const bash = `# lifeline completion for bash: eval "$(lifeline completion bash)"  (zsh: eval "$(lifeline completion zsh)")
_lifeline() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path="" words
  local i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) path="\${path:+$path }\${COMP_WORDS[i]}" ;; esac
  done
  case "$path" in
    "") words="${top.join(' ')} ${global}" ;;
${cases}
    *) words="${global}" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -o default -F _lifeline lifeline
`;
  return shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${bash}` : bash;
}
