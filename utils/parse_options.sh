# parse_options.sh: Kaldi-style command-line options for bash scripts (written for spoofcm).
#
# Source it after the defaults are set:
#     stage=0          # first stage to run
#     use_gpu=false    # a boolean: --use-gpu accepts only true or false
#     lr=0.5           # a number default: --lr accepts only numbers (integer default: integers)
#     . utils/parse_options.sh          # no arguments: it parses and shifts the caller's "$@"
# Then "--foo-bar v" and "--foo-bar=v" set the existing variable foo_bar (an option naming no
# variable is an error); "--config FILE" sources a file of name=value lines (names must
# exist too); "--help" or "-h" prints the script's leading comment block (or $help_message)
# and the options with their current values, then exits 0. Parsing stops at the first
# argument that is not an option, or after "--"; the positional arguments stay in "$@".
# The options list of --help is the "name=value  # comment" lines above the line sourcing this
# file. Safe under "set -euo pipefail". Variables of its own start with __po_.

__po_script=${BASH_SOURCE[1]:-$0}

__po_fail() {
  echo "$(basename "${__po_script}"): error: $*" >&2
  exit 1
}

__po_is_var() {  # a plain variable the calling script defined
  [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] && declare -p "$1" > /dev/null 2>&1
}

__po_int='^[+-]?[0-9]+$'
__po_num='^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$'

__po_check() {  # what name default value: the value must have the default's type
  local __po_w=$1 __po_n=$2 __po_d=$3 __po_v=$4
  if [ "${__po_d}" = true ] || [ "${__po_d}" = false ]; then
    [ "${__po_v}" = true ] || [ "${__po_v}" = false ] ||
      __po_fail "${__po_w} takes true or false, got '${__po_v}'"
  elif [[ ${__po_d} =~ ${__po_int} ]]; then
    [[ ${__po_v} =~ ${__po_int} ]] || __po_fail "${__po_w} takes an integer, got '${__po_v}'"
  elif [[ ${__po_d} =~ ${__po_num} ]]; then
    [[ ${__po_v} =~ ${__po_num} ]] || __po_fail "${__po_w} takes a number, got '${__po_v}'"
  fi
  return 0
}

__po_set() {  # name value: check, then assign in the caller's scope
  # (locals are __po_-prefixed so they never shadow the caller's variable)
  local __po_n=$1 __po_v=$2
  __po_is_var "${__po_n}" || __po_fail "unknown option --${__po_n//_/-}"
  __po_check "--${__po_n//_/-}" "${__po_n}" "${!__po_n-}" "${__po_v}"
  printf -v "${__po_n}" '%s' "${__po_v}"
}

__po_config() {  # every line must name an existing variable; booleans stay booleans
  local __po_f=$1 __po_i=0 __po_l __po_n __po_typed=() __po_defaults=()
  [ -f "${__po_f}" ] || __po_fail "--config: file '${__po_f}' not found"
  while IFS= read -r __po_l || [ -n "${__po_l}" ]; do
    __po_i=$((__po_i + 1))
    [[ ${__po_l} =~ ^[[:space:]]*(#.*)?$ ]] && continue
    [[ ${__po_l} =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)= ]] ||
      __po_fail "${__po_f}:${__po_i}: expected name=value, got '${__po_l}'"
    __po_n=${BASH_REMATCH[1]}
    __po_is_var "${__po_n}" || __po_fail "${__po_f}:${__po_i}: unknown option '${__po_n}'"
    __po_typed+=("${__po_n}"); __po_defaults+=("${!__po_n-}")
  done < "${__po_f}"
  # shellcheck disable=SC1090
  . "${__po_f}"
  for __po_i in "${!__po_typed[@]}"; do
    __po_n=${__po_typed[__po_i]}
    __po_check "${__po_f}: ${__po_n}" "${__po_n}" "${__po_defaults[__po_i]}" "${!__po_n-}"
  done
}

__po_help() {
  local __po_l __po_n __po_c
  if [ -n "${help_message:-}" ]; then
    echo "${help_message}"
  else
    while IFS= read -r __po_l; do
      [[ ${__po_l} == '#!'* ]] && continue
      [[ ${__po_l} == '#'* ]] || break
      __po_l=${__po_l#\#}
      echo "${__po_l# }"
    done < "${__po_script}"
  fi
  echo "Options (--name value; default in brackets):"
  while IFS= read -r __po_l; do
    [[ ${__po_l} == *parse_options.sh* ]] && break
    [[ ${__po_l} =~ ^([A-Za-z_][A-Za-z0-9_]*)= ]] || continue
    __po_n=${BASH_REMATCH[1]}
    __po_is_var "${__po_n}" || continue
    __po_c=""
    [[ ${__po_l} =~ [[:space:]]#[[:space:]]*(.*)$ ]] && __po_c=${BASH_REMATCH[1]}
    printf '  --%-22s [%s]  %s\n' "${__po_n//_/-}" "${!__po_n-}" "${__po_c}"
  done < "${__po_script}"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; break ;;
    -h | --help) __po_help; exit 0 ;;
    --config=*) __po_config "${1#--config=}"; shift ;;
    --config)
      [ $# -ge 2 ] || __po_fail "option --config needs a file"
      __po_config "$2"; shift 2 ;;
    --*=*)
      __po_name=${1%%=*}; __po_name=${__po_name#--}
      __po_set "${__po_name//-/_}" "${1#*=}"; shift ;;
    --?*)
      __po_name=${1#--}
      [ $# -ge 2 ] || __po_fail "option $1 needs a value"
      __po_set "${__po_name//-/_}" "$2"; shift 2 ;;
    *) break ;;
  esac
done
unset -f __po_fail __po_is_var __po_check __po_set __po_config __po_help
unset __po_script __po_name __po_int __po_num
true
