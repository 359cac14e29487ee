// Event validation (core/v1 and events.k8s.io/v1) as the real server does it:
// new-style events (with eventTime) need reporting controller/instance, action
// and reason; every event's namespace must agree with its subject's.
import type { StatusCause } from './errors.js';
import { qualifiedNameErrors } from './object-meta.js';
import { isPlainObject } from './object-shape.js';
import type { KubeObject } from './store.js';

const required = (field: string): StatusCause => ({ reason: 'FieldValueRequired', message: 'Required value', field });

function tooLong(field: string, value: unknown, limit: number): StatusCause | undefined {
  if (typeof value !== 'string' || value.length <= limit) return undefined;
  return { reason: 'FieldValueInvalid', message: `Invalid value: "": can have at most ${limit} characters`, field };
}

export function eventCauses(group: string, e: KubeObject): StatusCause[] {
  const v1 = group === 'events.k8s.io';
  // Both APIs store core/v1 Events; only the field names in messages differ.
  const subject = e.involvedObject as Record<string, unknown> | undefined;
  const subjectNamespace = isPlainObject(subject) && typeof subject.namespace === 'string' ? subject.namespace : '';
  const namespace = e.metadata.namespace ?? '';
  const causes: StatusCause[] = [];
  const mismatch: StatusCause = {
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${JSON.stringify(subjectNamespace)}: does not match event.namespace`,
    field: 'involvedObject.namespace',
  };
  const hasEventTime = typeof e.eventTime === 'string' && e.eventTime !== '';
  if (!hasEventTime && !v1) {
    if (subjectNamespace === '' ? namespace !== '' && namespace !== 'default' : namespace !== subjectNamespace)
      causes.push(mismatch);
    return causes;
  }
  if (v1 && !hasEventTime) causes.push(required('eventTime'));
  if (v1 && e.type !== 'Normal' && e.type !== 'Warning') {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "": has invalid value: ${String(e.type ?? '')}`,
      field: 'type',
    });
  }
  if (subjectNamespace === '' && namespace !== 'default' && namespace !== 'kube-system') causes.push(mismatch);
  const controllerField = v1 ? 'reportingController' : 'reportingComponent';
  const controller = e.reportingComponent;
  if (typeof controller !== 'string' || controller === '') causes.push(required(controllerField));
  for (const e of qualifiedNameErrors(typeof controller === 'string' ? controller : '')) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(controller ?? '')}: ${e}`,
      field: controllerField,
    });
  }
  if (typeof e.reportingInstance !== 'string' || e.reportingInstance === '') causes.push(required('reportingInstance'));
  if (typeof e.action !== 'string' || e.action === '') causes.push(required('action'));
  if (typeof e.reason !== 'string' || e.reason === '') causes.push(required('reason'));
  for (const c of [
    tooLong('reportingInstance', e.reportingInstance, 128),
    tooLong('action', e.action, 128),
    tooLong('reason', e.reason, 128),
    tooLong('note', e.message, 1024),
  ])
    if (c) causes.push(c);
  return causes;
}
