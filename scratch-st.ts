import { createTestApp } from './tests/support/app';
const t = await createTestApp({});
const body = {"clientId": "688155fb-e4e2-4037-a3df-affab7a4337a", "email": "0@0.com", "externalRef": "0", "firstName": "", "frontlineEmployeeId": "e3e70682-c209-1cac-a29f-6fbed82c07cd", "inactive": false, "language": "AA", "lastName": "", "optedOut": false, "outOfScope": false, "phone": "0", "region": "0"};
for (let i = 0; i < 3; i++) {
  const started = performance.now();
  const r = await t.app.inject({ method: 'POST', url: '/api/contacts/', headers: t.auth, payload: body });
  console.log(r.statusCode, r.body.slice(0, 200), (performance.now() - started).toFixed(0), 'ms');
}
const members = { members: Array.from({ length: 50 }, () => ({ contact: { externalRef: '0' } })) };
const c = await t.app.inject({ method: 'POST', url: '/api/campaigns/', headers: t.auth, payload: { name: 'x', surveyId: '688155fb-e4e2-4037-a3df-affab7a4337a' } });
console.log('campaign', c.statusCode, c.body.slice(0, 150));
await t.close();
