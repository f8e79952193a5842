import json
from tests.factories import make_ready_referral

def test_smoke(api, session, clinic):
    referral = make_ready_referral(session, clinic)
    session.commit()
    r = api.get("/procedure-types"); print(r.status_code, r.get_json()["items"][0])
    r = api.get(f"/slots?referral_id={referral.id}&limit=2"); print(r.status_code, json.dumps(r.get_json())[:600])
    slot = r.get_json()["slots"][0]
    r = api.post("/appointments", json={**slot, "referral_id": referral.id}); print(r.status_code, json.dumps(r.get_json())[:600])
    r = api.post("/appointments", json={**slot, "referral_id": referral.id}); print(r.status_code, json.dumps(r.get_json())[:900])
    r = api.post("/appointments", data="{bad", headers={"Content-Type": "application/json"}); print(r.status_code, r.get_json())
    r = api.post("/appointments", json=[1]); print(r.status_code, r.get_json())
    r = api.post("/appointments", json={"referral_id": "1"}); print(r.status_code, r.get_json())
    r = api.post("/appointments", json={**slot, "table_start": "2026-11-23T09:00:00", "referral_id": referral.id}); print(r.status_code, r.get_json())
    r = api.get("/openapi.json"); print(r.status_code, len(r.data))
    r = api.get("/docs"); print(r.status_code, r.headers["Content-Security-Policy"])
