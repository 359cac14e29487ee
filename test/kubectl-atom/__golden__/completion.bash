# bash completion for kubectl-atom. Load it with:  source <(kubectl atom completion bash)
# "kubectl atom <TAB>" also needs kubectl's own completion and kubectl_complete-atom on PATH.
_kubectl_atom() {
  local IFS=$'\n'
  local out
  out=$(kubectl-atom __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return
  COMPREPLY=( $(printf '%s\n' "$out" | sed '$d') )
}
complete -F _kubectl_atom kubectl-atom
