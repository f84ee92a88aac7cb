/* The search state: the words and the filters, in the form and in the URL
 * (?q=words&sev=SEV1&sev=SEV2&cause=..&service=..&team=..&year=2019&kind=near-miss&open=1),
 * so that a search can be bookmarked or sent. */

const SELECTS = ['cause', 'service', 'team', 'year', 'kind'];

/** The state the form shows. */
export function readForm(form, input) {
  const el = form.elements;
  return {
    q: input.value,
    sev: Array.from(form.querySelectorAll('input[name="sev"]:checked'), (c) => c.value),
    cause: el.cause ? el.cause.value : '',
    service: el.service ? el.service.value : '',
    team: el.team ? el.team.value : '',
    year: el.year ? el.year.value : '',
    kind: el.kind ? el.kind.value : '',
    open: !!(el.open && el.open.checked)
  };
}

/** Shows a state in the form. */
export function writeForm(form, input, s) {
  input.value = s.q;
  for (const c of form.querySelectorAll('input[name="sev"]')) c.checked = s.sev.includes(c.value);
  for (const k of SELECTS) {
    const el = form.elements[k];
    if (!el) continue;
    el.value = s[k];
    if (el.value !== s[k]) {
      // A value the page does not list (an old link): keep it selectable.
      const o = document.createElement('option');
      o.value = s[k];
      o.textContent = s[k];
      el.appendChild(o);
      el.value = s[k];
    }
  }
  if (form.elements.open) form.elements.open.checked = s.open;
}

/** The state of the page's URL. */
export function fromUrl() {
  const p = new URLSearchParams(location.search);
  return {
    q: p.get('q') || '',
    sev: p.getAll('sev'),
    cause: p.get('cause') || '',
    service: p.get('service') || '',
    team: p.get('team') || '',
    year: p.get('year') || '',
    kind: p.get('kind') || '',
    open: p.get('open') === '1'
  };
}

/** Puts a state in the page's URL (replacing, not adding, a history entry). */
export function toUrl(s) {
  const p = new URLSearchParams();
  if (s.q.trim()) p.set('q', s.q.trim());
  for (const v of s.sev) p.append('sev', v);
  for (const k of SELECTS) if (s[k]) p.set(k, s[k]);
  if (s.open) p.set('open', '1');
  const qs = p.toString();
  const url = location.pathname + (qs ? '?' + qs : '');
  if (url !== location.pathname + location.search) history.replaceState(null, '', url);
}

export function isEmpty(s) {
  return !s.q.trim() && !hasFilters(s);
}

export function hasFilters(s) {
  return s.sev.length > 0 || !!s.cause || !!s.service || !!s.team || !!s.year || !!s.kind || s.open;
}

/** Whether incident number `i` of `index` passes the filters of a state. */
export function filterFn(index, s) {
  const sev = s.sev.map((v) => index.severities.indexOf(v));
  const cause = s.cause ? index.causes.indexOf(s.cause) : null;
  const service = s.service ? index.services.indexOf(s.service) : null;
  const team = s.team ? index.teams.indexOf(s.team) : null;
  return (i) => {
    const d = index.docs[i];
    if (sev.length && !sev.includes(d.severity)) return false;
    if (cause !== null && !d.causes.includes(cause)) return false;
    if (service !== null && !d.services.includes(service)) return false;
    if (team !== null && !d.teams.includes(team)) return false;
    if (s.year && d.date.slice(0, 4) !== s.year) return false;
    if (s.open && !d.open) return false;
    if (s.kind && index.kinds[d.kind] !== s.kind) return false;
    return true;
  };
}
