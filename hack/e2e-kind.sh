#!/usr/bin/env bash
# shellcheck disable=SC2310 # eventually/advertised/replaced are tested with ||, on purpose
# End-to-end test on a throw-away kind cluster: builds the operator image and a
# stand-in agent image, installs the chart with leader election and its own
# NetworkPolicy, runs the platform simulator in the cluster, applies an Atom and
# checks that it becomes Ready with its pod, claim and egress-only NetworkPolicy,
# that the advertised version reaches its status, and that the NetworkPolicy is
# enforced. Needs docker, kind >= 0.24 (kindnet enforces NetworkPolicy) and the
# repository's node_modules (`make deps`). Not run in CI. See docs/e2e.md.
#
# Environment: CLUSTER_NAME (atom-e2e), KEEP_CLUSTER (false: delete on exit),
# TIMEOUT (300s, per wait), IMAGE (atom-operator:e2e), AGENT_IMAGE (atom-e2e-agent:e2e).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER_NAME="${CLUSTER_NAME:-atom-e2e}"
KEEP_CLUSTER="${KEEP_CLUSTER:-false}"
TIMEOUT="${TIMEOUT:-300s}"
IMAGE="${IMAGE:-atom-operator:e2e}"
AGENT_IMAGE="${AGENT_IMAGE:-atom-e2e-agent:e2e}"
SIMULATOR_IMAGE="${SIMULATOR_IMAGE:-atom-platform-simulator:e2e}"
OPERATOR_NAMESPACE=atom-system
ATOM_NAMESPACE=atoms-e2e
PLATFORM_NAMESPACE=atom-platform
PLATFORM_HOST="platform-simulator.${PLATFORM_NAMESPACE}.svc"
ATOM=atom-e2e
WORK="$(mktemp -d)"
KUBECONFIG="${WORK}/kubeconfig"
export KUBECONFIG

log() { printf '\n==> %s\n' "$*"; }
fail() {
  printf 'e2e: FAILED: %s\n' "$*" >&2
  exit 1
}
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is required on PATH"; }

# Everything a person needs to see why a run failed, then the cluster goes away.
diagnose() {
  log "diagnostics"
  "${KUBECTL}" get atoms -A -o yaml || true
  "${KUBECTL}" get pods,pvc,networkpolicies -A -o wide || true
  "${KUBECTL}" get events -A --sort-by=.lastTimestamp | tail -n 60 || true
  "${KUBECTL}" -n "${OPERATOR_NAMESPACE}" logs -l app.kubernetes.io/name=atom-operator --tail=200 --prefix || true
  "${KUBECTL}" -n "${PLATFORM_NAMESPACE}" logs deploy/platform-simulator --tail=100 || true
  "${KUBECTL}" -n "${ATOM_NAMESPACE}" logs -l "atomoperator.io/atom=${ATOM}" --tail=50 || true
}

cleanup() {
  local status=$?
  trap - EXIT
  if [[ ${status} -ne 0 && -n "${KUBECTL:-}" && -s "${KUBECONFIG}" ]]; then diagnose; fi
  if [[ "${KEEP_CLUSTER}" == "true" ]]; then
    printf 'e2e: keeping cluster %s (kind delete cluster --name %s)\n' "${CLUSTER_NAME}" "${CLUSTER_NAME}"
    kind get kubeconfig --name "${CLUSTER_NAME}" >"${ROOT}/.tools/e2e-kubeconfig" 2>/dev/null || true
  elif kind get clusters 2>/dev/null | grep -qx "${CLUSTER_NAME}"; then
    kind delete cluster --name "${CLUSTER_NAME}" >/dev/null 2>&1 || true
  fi
  rm -rf "${WORK}"
  exit "${status}"
}
trap cleanup EXIT

# Polls until the command succeeds, for at most TIMEOUT seconds. Callers test its
# result (`eventually x || fail ...`), which is why set -e is off inside it (SC2310).
eventually() {
  local deadline=$((SECONDS + ${TIMEOUT%s}))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 3
  done
}

log "checking prerequisites"
[[ "${TIMEOUT}" =~ ^[0-9]+s$ ]] || fail "TIMEOUT must be whole seconds with an s, like 300s (got ${TIMEOUT})"
need docker
need kind
need npm
kind_full="$(kind version)"
kind_version="$(sed -n 's/^kind v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p' <<<"${kind_full}")"
read -r kind_major kind_minor <<<"${kind_version:-0 0}"
if ((kind_major == 0 && kind_minor < 24)); then
  fail "kind >= 0.24 is needed for NetworkPolicy enforcement (found ${kind_full})"
fi
cd "${ROOT}"
[[ -d node_modules ]] || fail "node_modules is missing: run 'make deps' first"
npm run --silent tools >/dev/null
KUBECTL="${ROOT}/.tools/bin/kubectl"
HELM="${ROOT}/.tools/bin/helm"

log "creating kind cluster ${CLUSTER_NAME}"
kind create cluster --name "${CLUSTER_NAME}" --config hack/e2e/kind-config.yaml --kubeconfig "${KUBECONFIG}" --wait 180s

log "building and loading ${IMAGE} and ${AGENT_IMAGE}"
docker build --tag "${IMAGE}" "${ROOT}"
docker build --tag "${AGENT_IMAGE}" "${ROOT}/hack/e2e/fake-atom"
# The operator image holds no sandbox code; the simulator has an image of its own.
docker build --file "${ROOT}/hack/e2e/platform-simulator.Dockerfile" --tag "${SIMULATOR_IMAGE}" "${ROOT}"
kind load docker-image --name "${CLUSTER_NAME}" "${IMAGE}" "${AGENT_IMAGE}" "${SIMULATOR_IMAGE}"

log "issuing the platform CA, server, registration and release-signing keys"
npx tsx hack/e2e/pki.ts "${WORK}/pki" "${PLATFORM_HOST}" "${ATOM}"

log "starting the platform simulator"
sed "s|@IMAGE@|${SIMULATOR_IMAGE}|g" hack/e2e/platform-simulator.yaml >"${WORK}/platform-simulator.yaml"
"${KUBECTL}" create namespace "${PLATFORM_NAMESPACE}"
"${KUBECTL}" label namespace "${PLATFORM_NAMESPACE}" pod-security.kubernetes.io/enforce=restricted
"${KUBECTL}" -n "${PLATFORM_NAMESPACE}" create secret generic platform-simulator-tls \
  --from-file=tls.crt="${WORK}/pki/platform.crt" --from-file=tls.key="${WORK}/pki/platform.key" --from-file=ca.crt="${WORK}/pki/ca.crt"
"${KUBECTL}" -n "${PLATFORM_NAMESPACE}" create secret generic platform-simulator-signing \
  --from-file=release-private.pem="${WORK}/pki/release-private.pem"
"${KUBECTL}" -n "${PLATFORM_NAMESPACE}" create configmap platform-simulator-releases --from-file=releases.json=hack/e2e/releases.json
"${KUBECTL}" apply -f "${WORK}/platform-simulator.yaml"
"${KUBECTL}" -n "${PLATFORM_NAMESPACE}" rollout status deploy/platform-simulator --timeout="${TIMEOUT}"

log "installing the operator chart (2 replicas, leader election, NetworkPolicy on)"
"${KUBECTL}" create namespace "${OPERATOR_NAMESPACE}"
"${KUBECTL}" label namespace "${OPERATOR_NAMESPACE}" pod-security.kubernetes.io/enforce=restricted
"${KUBECTL}" -n "${OPERATOR_NAMESPACE}" create secret generic atom-release-keys --from-file=release-keys.pem="${WORK}/pki/release-public.pem"
"${HELM}" install atom-operator charts/atom-operator --namespace "${OPERATOR_NAMESPACE}" --wait --timeout "${TIMEOUT}" \
  --set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" --set image.pullPolicy=Never \
  --set operator.releasePublicKeys.secretName=atom-release-keys \
  --set operator.pollInterval=10s \
  --set networkPolicy.enabled=true
"${KUBECTL}" wait --for=condition=Established crd/atoms.atomoperator.io --timeout="${TIMEOUT}"

log "applying the Atom ${ATOM_NAMESPACE}/${ATOM}"
"${KUBECTL}" create namespace "${ATOM_NAMESPACE}"
"${KUBECTL}" label namespace "${ATOM_NAMESPACE}" pod-security.kubernetes.io/enforce=restricted
"${KUBECTL}" -n "${ATOM_NAMESPACE}" create secret generic "${ATOM}-registration" --type=kubernetes.io/tls \
  --from-file=tls.crt="${WORK}/pki/${ATOM}.crt" --from-file=tls.key="${WORK}/pki/${ATOM}.key" --from-file=ca.crt="${WORK}/pki/ca.crt"
"${KUBECTL}" -n "${ATOM_NAMESPACE}" create secret generic platform-ca --from-file=ca.crt="${WORK}/pki/ca.crt"
"${KUBECTL}" apply -f hack/e2e/atom.yaml
"${KUBECTL}" -n "${ATOM_NAMESPACE}" wait --for=condition=Ready "atom/${ATOM}" --timeout="${TIMEOUT}"

log "checking the Atom's children"
selector="atomoperator.io/atom=${ATOM}"
for kind in pods persistentvolumeclaims networkpolicies; do
  count="$("${KUBECTL}" -n "${ATOM_NAMESPACE}" get "${kind}" -l "${selector}" -o name | wc -l)"
  [[ "${count}" -eq 1 ]] || fail "expected exactly one ${kind} labelled ${selector}, found ${count}"
done
pod="$("${KUBECTL}" -n "${ATOM_NAMESPACE}" get pods -l "${selector}" -o jsonpath='{.items[0].metadata.name}')"
owner="$("${KUBECTL}" -n "${ATOM_NAMESPACE}" get pod "${pod}" -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}')"
[[ "${owner}" == "Atom/${ATOM}" ]] || fail "pod ${pod} is owned by '${owner}', not Atom/${ATOM}"
types="$("${KUBECTL}" -n "${ATOM_NAMESPACE}" get networkpolicies -l "${selector}" -o jsonpath='{.items[0].spec.policyTypes}')"
[[ "${types}" == *Ingress* && "${types}" == *Egress* ]] || fail "the Atom's NetworkPolicy has policyTypes ${types}"

log "checking the advertised version reached the Atom's status"
advertised() {
  local version
  version="$("${KUBECTL}" -n "${ATOM_NAMESPACE}" get atom "${ATOM}" -o jsonpath='{.status.advertisedVersion}')"
  [[ "${version}" == "1.1.0" ]]
}
eventually advertised || fail "status.advertisedVersion never became 1.1.0 (platform polling or signature check failed)"

log "checking the NetworkPolicy is enforced: the Atom reaches the platform on 443 but not the API server"
# Readiness already proved 443 to the platform works (the stand-in agent is Ready only after the platform answered).
apiserver="$("${KUBECTL}" get endpointslices -n default -l kubernetes.io/service-name=kubernetes -o jsonpath='{.items[0].endpoints[0].addresses[0]}')"
probe="const s=require('net').connect({host:'${apiserver}',port:6443,timeout:5000});s.on('connect',()=>process.exit(1));s.on('timeout',()=>process.exit(0));s.on('error',()=>process.exit(0));"
"${KUBECTL}" -n "${ATOM_NAMESPACE}" exec "${pod}" -- node -e "${probe}" ||
  fail "the Atom pod could open a connection to the API server at ${apiserver}:6443; its NetworkPolicy is not enforced"

log "checking leader election: one leader among the operator replicas"
holder="$("${KUBECTL}" -n "${OPERATOR_NAMESPACE}" get leases -o jsonpath='{.items[*].spec.holderIdentity}')"
[[ -n "${holder}" ]] || fail "no Lease with a holder in ${OPERATOR_NAMESPACE}"

log "checking the chart's aggregated ClusterRoles: the namespace's viewers read Atoms, only editors change them"
"${KUBECTL}" -n "${ATOM_NAMESPACE}" create serviceaccount atom-viewer
"${KUBECTL}" -n "${ATOM_NAMESPACE}" create rolebinding atom-viewer --clusterrole=view --serviceaccount="${ATOM_NAMESPACE}:atom-viewer"
viewer="system:serviceaccount:${ATOM_NAMESPACE}:atom-viewer"
# The API server folds labelled ClusterRoles into view/edit/admin asynchronously.
eventually "${KUBECTL}" auth can-i list atoms.atomoperator.io -n "${ATOM_NAMESPACE}" --as="${viewer}" ||
  fail "the view role does not include Atoms: the chart's aggregated ClusterRole atom-operator-view is missing or unlabelled"
if "${KUBECTL}" auth can-i create atoms.atomoperator.io -n "${ATOM_NAMESPACE}" --as="${viewer}" >/dev/null 2>&1; then
  fail "the view role may create Atoms"
fi

log "checking the operator's heap limit follows its memory limit"
node_options="$("${KUBECTL}" -n "${OPERATOR_NAMESPACE}" get deploy atom-operator -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name=="NODE_OPTIONS")].value}')"
[[ "${node_options}" == --max-old-space-size=* ]] || fail "the operator has no heap limit (NODE_OPTIONS='${node_options}')"

log "checking a deleted pod is replaced"
old_uid="$("${KUBECTL}" -n "${ATOM_NAMESPACE}" get pod "${pod}" -o jsonpath='{.metadata.uid}')"
"${KUBECTL}" -n "${ATOM_NAMESPACE}" delete pod "${pod}" --wait=true
replaced() {
  local uid
  uid="$("${KUBECTL}" -n "${ATOM_NAMESPACE}" get pods -l "${selector}" -o jsonpath='{.items[0].metadata.uid}')"
  [[ -n "${uid}" && "${uid}" != "${old_uid}" ]]
}
eventually replaced || fail "the deleted pod of ${ATOM} was not replaced"
"${KUBECTL}" -n "${ATOM_NAMESPACE}" wait --for=condition=Ready pod -l "${selector}" --timeout="${TIMEOUT}"
"${KUBECTL}" -n "${ATOM_NAMESPACE}" wait --for=condition=Ready "atom/${ATOM}" --timeout="${TIMEOUT}"

log "e2e passed"
