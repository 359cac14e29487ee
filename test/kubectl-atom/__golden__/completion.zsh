#compdef kubectl-atom
# zsh completion for kubectl-atom. Load it with:  source <(kubectl atom completion zsh)
_kubectl_atom() {
  local -a candidates
  candidates=("${(@f)$(kubectl-atom __complete "${(@)words[2,CURRENT]}" 2>/dev/null | sed '$d')}")
  compadd -- ${candidates:#}
}
compdef _kubectl_atom kubectl-atom
