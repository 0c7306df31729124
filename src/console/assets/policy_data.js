// The policy's postures, fetched from GET /acl (JSON) and compiled for
// evaluation in the browser; shared by the Machines and machine pages.
import * as api from './api.js';
import { compilePostures } from './posture.js';

let cache = null; // {etag, at, postures, defaultSrcPosture}
const MAX_AGE_MS = 3000;

export async function loadPostures({ force = false } = {}) {
  if (!force && cache && Date.now() - cache.at < MAX_AGE_MS) return cache;
  const res = await api.request('GET', `${api.T}/acl`);
  const policy = res.data || {};
  const etag = res.headers.get('ETag') || '';
  if (cache && cache.etag === etag && etag) {
    cache.at = Date.now();
    return cache;
  }
  cache = {
    etag,
    at: Date.now(),
    postures: compilePostures(policy.postures),
    defaultSrcPosture: Array.isArray(policy.defaultSrcPosture) ? policy.defaultSrcPosture : [],
  };
  return cache;
}

export function postureLabel(name) {
  return name.startsWith('posture:') ? name.slice('posture:'.length) : name;
}

// After a save: the next loadPostures() fetches again.
export function invalidatePostures() {
  cache = null;
}
