// NATS subject rules, for the message-flow view: does a subscription's subject
// (with * and > wildcards) match a published subject?

export function tokens(subject) {
  return subject.split('.');
}

export function validPublishSubject(subject) {
  return subject.length > 0 && !/\s/.test(subject) && tokens(subject).every((t) => t && t !== '*' && t !== '>');
}

export function validSubscribeSubject(subject) {
  if (!subject || /\s/.test(subject)) return false;
  const ts = tokens(subject);
  return ts.every((t, i) => t && (t !== '>' || i === ts.length - 1));
}

// filter 'orders.*' matches 'orders.created', not 'orders.payment.failed';
// 'orders.>' matches both (one or more tokens), not 'orders'.
export function subjectMatches(filter, subject) {
  const f = tokens(filter);
  const s = tokens(subject);
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}
