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

/** The incidents a state's filters keep: a DocSet, or null when it has
 * none. Severities are alternatives; the other filters all apply. Only
 * the sets of the filters in use are fetched. */
export async function filterSet(index, s) {
  const sets = [];
  if (s.sev.length) {
    const any = await Promise.all(s.sev.map((v) => index.facet('sev', v)));
    sets.push(any.reduce((a, b) => a.or(b)));
  }
  const wait = SELECTS.filter((k) => s[k]).map((k) => index.facet(k, s[k]));
  if (s.open) wait.push(index.facet('open', '1'));
  sets.push(...await Promise.all(wait));
  return sets.length ? sets.reduce((a, b) => a.and(b)) : null;
}
