//! The API's tests: `oneshot` on the router for every route and error path, against SQLite
//! and against a real PostgreSQL (`ATELIER_TEST_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`; each test gets a database of its own, dropped
//! afterwards). The store is filled through its public API (`apply_block` with domain
//! events, `put_work`, `put_score`, `put_summary`), as the indexer and the worker fill it.
//! JSON snapshots are shared by both backends, so they also check that the backends agree.

use std::{
    net::SocketAddr,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

/// A JSON snapshot written by serde_json itself: the workspace build may enable serde_json's
/// `arbitrary_precision` (through subxt), under which insta's own JSON serializer writes
/// numbers as internal structs; serde_json's printer writes them as numbers either way.
macro_rules! json_snapshot {
    ($name:expr, $value:expr) => {
        insta::assert_snapshot!(
            $name,
            serde_json::to_string_pretty(&$value).expect("serialisable")
        )
    };
}

use atelier_api::{app, AppState, Config};
use atelier_store::Store;
use atelier_types::Support;
use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{header, HeaderMap, Method, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

mod seed;
use seed::{
    acct, alice, alice_account_id, block, bob, carol, compute, ev, governor, membership, router,
    seed, vote, weight, GENESIS_MS,
};

static NEXT: AtomicUsize = AtomicUsize::new(0);

fn admin_url() -> String {
    std::env::var("ATELIER_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A store under test and how to reach its database directly.
struct Backend {
    store: Store,
    url: String,
    pg_db: Option<String>,
}

/// A fresh SQLite file and, when the server answers, a fresh PostgreSQL database.
async fn backends() -> Vec<Backend> {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let name = format!("atelier_api_test_{}_{n}", std::process::id());
    let path = std::env::temp_dir().join(format!("{name}.db"));
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}", path.display());
    let mut out = vec![Backend {
        store: Store::open(&url).await.expect("sqlite opens"),
        url,
        pg_db: None,
    }];
    let admin = admin_url();
    match sqlx::PgPool::connect(&admin).await {
        Ok(pool) => {
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .expect("create database");
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            let url = format!("{base}/{name}");
            out.push(Backend {
                store: Store::open(&url).await.expect("postgres opens"),
                url,
                pg_db: Some(name),
            });
        }
        Err(e) => atelier_store::no_postgres("the PostgreSQL half", &admin, &e),
    }
    out
}

async fn drop_db(db: Option<String>) {
    if let Some(name) = db {
        if let Ok(pool) = sqlx::PgPool::connect(&admin_url()).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&pool)
                .await;
        }
    }
}

/// Test settings: no rate limit, no stall check.
fn config() -> Config {
    Config {
        rate_limit: 0,
        stall_after_s: 0,
        stream_poll_ms: 20,
        ..Config::default()
    }
}

async fn call(app: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, Value) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, headers, body)
}

async fn get(app: &Router, uri: &str) -> (StatusCode, HeaderMap, Value) {
    call(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// GETs `uri` and expects 200.
async fn ok(app: &Router, uri: &str) -> Value {
    let (status, _, body) = get(app, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

/// GETs `uri` and expects `status` with error `code`.
async fn fails(app: &Router, uri: &str, status: StatusCode, code: &str) -> Value {
    let (s, _, body) = get(app, uri).await;
    assert_eq!(s, status, "{uri}: {body}");
    assert_eq!(body["error"]["code"], code, "{uri}: {body}");
    assert!(body["error"]["message"].is_string(), "{uri}: {body}");
    body
}

/// Walks every page of `uri` with `limit` and returns all items.
async fn walk(app: &Router, uri: &str, limit: u32) -> Vec<Value> {
    let sep = if uri.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let page_uri = match &cursor {
            Some(c) => format!("{uri}{sep}limit={limit}&cursor={c}"),
            None => format!("{uri}{sep}limit={limit}"),
        };
        let body = ok(app, &page_uri).await;
        let page = body["items"].as_array().unwrap();
        assert!(page.len() <= limit as usize);
        items.extend(page.iter().cloned());
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return items,
        }
    }
    panic!("{uri} does not end");
}

async fn seeded() -> Vec<(Router, Backend)> {
    let mut out = Vec::new();
    for b in backends().await {
        seed(&b.store).await;
        let store = Store::open(&b.url).await.unwrap();
        out.push((app(AppState::new(store, config())), b));
    }
    out
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn proposals_carry_state_tallies_quorum_timeline_and_summary() {
    for (app, b) in seeded().await {
        let list = ok(&app, "/proposals").await;
        json_snapshot!("proposals_list", list);
        let detail = ok(&app, "/proposals/0").await;
        json_snapshot!("proposal_0", detail);
        let states: Vec<(i64, String)> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["id"].as_i64().unwrap(),
                    p["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            states,
            [
                (0, "executed"),
                (5, "expired"),
                (3, "defeated"),
                (4, "canceled"),
                (1, "active"),
                (2, "pending")
            ]
            .map(|(i, s)| (i, s.to_owned())),
            "{}",
            b.store.backend()
        );
        // quorum: 10% of 180 at the snapshot of proposal 1, reached by the abstain vote
        let p1 = ok(&app, "/proposals/1").await;
        assert_eq!(p1["quorum"]["total_weight"], "180");
        assert_eq!(p1["quorum"]["required"], "18");
        assert_eq!(p1["quorum"]["reached"], true);
        assert_eq!(p1["summary"]["anchored"], false);
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn proposals_filter_by_state_and_proposer_and_paginate() {
    for (app, b) in seeded().await {
        let by = |s: &str| format!("/proposals?state={s}");
        for (state, expect) in [
            ("executed", vec![0]),
            ("expired", vec![5]),
            ("defeated", vec![3]),
            ("canceled", vec![4]),
            ("active", vec![1]),
            ("pending", vec![2]),
            ("succeeded", vec![]),
            ("queued", vec![]),
        ] {
            let body = ok(&app, &by(state)).await;
            assert_eq!(ids(body["items"].as_array().unwrap()), expect, "{state}");
        }
        let bobs = ok(
            &app,
            &format!(
                "/proposals?proposer={}",
                bob().to_uppercase().replace("0X", "0x")
            ),
        )
        .await;
        assert_eq!(ids(bobs["items"].as_array().unwrap()), vec![5, 4, 1]);
        // every page size walks the same list in (block, event index) order
        for limit in [1, 2, 5] {
            assert_eq!(
                ids(&walk(&app, "/proposals", limit).await),
                vec![0, 5, 3, 4, 1, 2]
            );
        }
        // a filtered walk keeps its filter across pages
        assert_eq!(ids(&walk(&app, &by("canceled"), 1).await), vec![4]);
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn proposal_errors() {
    for (app, b) in seeded().await {
        fails(&app, "/proposals/99", StatusCode::NOT_FOUND, "not_found").await;
        fails(
            &app,
            "/proposals/abc",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            "/proposals/-1",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            "/proposals?state=maybe",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            "/proposals?proposer=0x12",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            "/proposals?limit=0",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            "/proposals?limit=1001",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            "/proposals?limit=x",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            "/proposals?cursor=nothex",
            StatusCode::BAD_REQUEST,
            "invalid_cursor",
        )
        .await;
        // a cursor of another list is refused
        let votes = ok(&app, "/votes?limit=1").await;
        let c = votes["next_cursor"].as_str().unwrap();
        fails(
            &app,
            &format!("/proposals?cursor={c}"),
            StatusCode::BAD_REQUEST,
            "invalid_cursor",
        )
        .await;
        fails(
            &app,
            "/proposals/99/votes",
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn votes_by_proposal_and_by_voter_with_reasons() {
    for (app, b) in seeded().await {
        let p0 = ok(&app, "/proposals/0/votes").await;
        json_snapshot!("proposal_0_votes", p0);
        let late = ok(&app, "/votes?from_block=8&to_block=30").await;
        assert_eq!(late["items"].as_array().unwrap().len(), 1);
        let early = ok(&app, "/proposals?to_block=5").await;
        assert_eq!(ids(early["items"].as_array().unwrap()), vec![0, 5]);
        assert_eq!(
            walk(&app, "/events?from_block=26&to_block=26", 1)
                .await
                .len(),
            1
        );
        // the same ranges by time: block n was made at GENESIS_MS + 6 s x n
        let secs = |block: i64| (GENESIS_MS + block * 6_000) / 1_000;
        let by_time = ok(
            &app,
            "/votes?from_time=2026-11-01T00:00:48Z&to_time=2026-11-01T00:03:00%2B00:00",
        )
        .await;
        assert_eq!(by_time["items"], late["items"]);
        let early_by_time = ok(&app, &format!("/proposals?to_time={}", secs(5))).await;
        assert_eq!(early_by_time["items"], early["items"]);
        let around_26 = format!("from_time={}&to_time={}", secs(26) - 1, secs(26) + 1);
        assert_eq!(
            walk(&app, &format!("/events?{around_26}"), 1).await.len(),
            1
        );
        // both bounds apply: the narrower wins, and a range with no stored block is empty
        let after_26 = format!(
            "/events?from_block=26&to_block=26&from_time={}",
            secs(26) + 1
        );
        assert!(ok(&app, &after_26).await["items"]
            .as_array()
            .unwrap()
            .is_empty());
        let future = format!("/royalties?from_time={}", secs(10_000));
        assert!(ok(&app, &future).await["items"]
            .as_array()
            .unwrap()
            .is_empty());
        let e = fails(
            &app,
            "/votes?from_time=yesterday",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("from_time"),
            "{e}"
        );
        let bobs = walk(&app, &format!("/votes?voter={}", bob()), 1).await;
        let on: Vec<i64> = bobs
            .iter()
            .map(|v| v["proposal_id"].as_i64().unwrap())
            .collect();
        assert_eq!(on, vec![0, 5, 1]);
        let one = ok(&app, &format!("/votes?voter={}&proposal=5", bob())).await;
        assert_eq!(one["items"].as_array().unwrap().len(), 1);
        assert_eq!(walk(&app, "/votes", 2).await.len(), 4);
        fails(
            &app,
            "/votes?voter=bob",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            "/votes?proposal=-3",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn members_with_weight_now_and_at_a_block() {
    for (app, b) in seeded().await {
        let list = walk(&app, "/members", 2).await;
        let addrs: Vec<&str> = list
            .iter()
            .map(|m| m["address"].as_str().unwrap())
            .collect();
        assert_eq!(addrs, vec![alice(), bob(), carol()]);
        let a = ok(&app, &format!("/members/{}?at_block=2", alice())).await;
        json_snapshot!("member_alice_at_2", a);
        assert_eq!(a["votes"], "130");
        assert_eq!(a["at"]["votes"], "60");
        assert_eq!(a["at"]["total"], "140");
        // her wallet's SS58 text shows her, and finds her
        let id: [u8; 32] = hex::decode(&alice_account_id()[2..])
            .unwrap()
            .try_into()
            .unwrap();
        let ss58 = atelier_types::account::ss58_encode(&id, 42);
        assert_eq!(a["ss58"], Value::String(ss58.clone()));
        assert_eq!(a["account_id"], Value::String(alice_account_id()));
        let found = ok(&app, &format!("/members/{ss58}")).await;
        assert_eq!(found["address"], Value::String(alice()));
        assert_eq!(
            ok(&app, &format!("/members/{}", bob())).await["ss58"],
            Value::Null
        );
        let bad = fails(
            &app,
            &format!(
                "/members/{}{}",
                &ss58[..ss58.len() - 1],
                if ss58.ends_with('x') { 'y' } else { 'x' }
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        assert!(
            bad["error"]["message"].as_str().unwrap().contains("SS58"),
            "{bad}"
        );
        let before = ok(&app, &format!("/members/{}?at_block=1", alice())).await;
        assert_eq!(before["at"]["votes"], "0");
        let c = ok(
            &app,
            &format!("/members/{}", carol().to_uppercase().replace("0X", "0x")),
        )
        .await;
        assert_eq!(c["delegate"], Value::String(alice()));
        assert!(c.get("at").is_none());
        let e = fails(
            &app,
            &format!("/members/{}?at_block=31", alice()),
            StatusCode::BAD_REQUEST,
            "block_not_indexed",
        )
        .await;
        assert!(e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("head is 30"));
        fails(
            &app,
            &format!("/members/{}", acct("99")),
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        fails(
            &app,
            "/members/alice",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            &format!("/members/{}?at_block=-1", alice()),
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn member_contributions_and_delegations() {
    for (app, b) in seeded().await {
        let mine = ok(&app, &format!("/members/{}/contributions", alice())).await;
        json_snapshot!("alice_contributions", mine);
        let cat3 = ok(
            &app,
            &format!("/members/{}/contributions?category=3", alice()),
        )
        .await;
        assert_eq!(ids(cat3["items"].as_array().unwrap()), vec![3]);
        let d = ok(&app, &format!("/members/{}/delegations", alice())).await;
        let items = d["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["delegator"], Value::String(carol()));
        assert_eq!(items[0]["weight"], "30");
        let made = walk(&app, &format!("/members/{}/attestations", carol()), 1).await;
        let on: Vec<i64> = made
            .iter()
            .map(|a| a["contribution_id"].as_i64().unwrap())
            .collect();
        assert_eq!(on, vec![0, 1, 3]);
        let c = walk(&app, &format!("/members/{}/delegations", carol()), 1).await;
        assert_eq!(c.len(), 1);
        assert!(
            ok(&app, &format!("/members/{}/delegations", bob())).await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        fails(
            &app,
            &format!("/members/{}/contributions", acct("99")),
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        fails(
            &app,
            &format!("/members/{}/delegations", acct("99")),
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        fails(
            &app,
            "/members/0xzz/delegations",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn contributions_filter_by_category_status_and_contributor() {
    for (app, b) in seeded().await {
        assert_eq!(
            ids(&walk(&app, "/contributions", 3).await),
            vec![0, 1, 2, 3]
        );
        let c1 = ok(&app, "/contributions?category=1").await;
        assert_eq!(ids(c1["items"].as_array().unwrap()), vec![0, 2]);
        let active = ok(
            &app,
            &format!("/contributions?status=active&contributor={}", bob()),
        )
        .await;
        assert_eq!(ids(active["items"].as_array().unwrap()), vec![1]);
        let att = &active["items"][0]["attestations"];
        assert_eq!(att.as_array().unwrap().len(), 2);
        assert!(ok(&app, "/contributions?status=revoked").await["items"]
            .as_array()
            .unwrap()
            .is_empty());
        fails(
            &app,
            "/contributions?category=x",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            "/contributions?status=gone",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn top_works_are_ranked_by_quality_not_recency() {
    for (app, b) in seeded().await {
        let top = ok(&app, "/works/top").await;
        json_snapshot!("works_top", top);
        assert_eq!(ids(top["items"].as_array().unwrap()), vec![2, 1, 3]);
        assert_eq!(ids(&walk(&app, "/works/top", 1).await), vec![2, 1, 3]);
        assert_eq!(
            ids(&walk(&app, "/works/top?include_spam=true", 2).await),
            vec![4, 2, 1, 3]
        );
        fails(
            &app,
            "/works/top?include_spam=perhaps",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            "/works/top?cursor=00",
            StatusCode::BAD_REQUEST,
            "invalid_cursor",
        )
        .await;
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn events_are_listed_and_filtered_by_kind_and_contract() {
    for (app, b) in seeded().await {
        let all = walk(&app, "/events", 7).await;
        assert_eq!(
            all.len(),
            54,
            "41 governance events, 10 of the funds and 3 of the provenance registry"
        );
        let first = ok(&app, "/events?limit=2").await;
        json_snapshot!("events_first_page", first);
        let votes = walk(&app, "/events?kind=VoteCast", 2).await;
        assert_eq!(votes.len(), 4);
        let gov = walk(&app, &format!("/events?contract={}", governor()), 50).await;
        assert!(gov
            .iter()
            .all(|e| e["contract"] == Value::String(governor())));
        assert_eq!(gov.len(), 16);
        fails(
            &app,
            "/events?contract=gov",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            "/events?kind=Vote%00Cast",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        let nul = hex::encode("members:\0");
        let uri = format!("/members?cursor={nul}");
        fails(&app, &uri, StatusCode::BAD_REQUEST, "invalid_cursor").await;
        drop_db(b.pg_db).await;
    }
}

/// Reads SSE frames from `body` until `n` events have arrived.
async fn sse_events(body: &mut Body, n: usize) -> Vec<(String, String, Value)> {
    let mut text = String::new();
    let mut out = Vec::new();
    while out.len() < n {
        let frame = tokio::time::timeout(Duration::from_secs(10), body.frame())
            .await
            .expect("an event within 10 s")
            .expect("the stream goes on")
            .unwrap();
        if let Ok(data) = frame.into_data() {
            text.push_str(std::str::from_utf8(&data).unwrap());
        }
        while let Some(end) = text.find("\n\n") {
            let chunk: String = text.drain(..end + 2).collect();
            let (mut id, mut kind, mut data) = (String::new(), String::new(), Value::Null);
            for line in chunk.lines() {
                if let Some(v) = line.strip_prefix("id: ") {
                    id = v.to_owned();
                } else if let Some(v) = line.strip_prefix("event: ") {
                    kind = v.to_owned();
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = serde_json::from_str(v).unwrap();
                }
            }
            if !id.is_empty() {
                out.push((id, kind, data));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_event_stream_resumes_from_last_event_id_and_follows_new_blocks() {
    for (app, b) in seeded().await {
        // resume after block 26's vote, filtered to votes: the stream is quiet until block 31
        let req = Request::get("/events/stream?kind=VoteCast")
            .header("last-event-id", "7:2")
            .body(Body::empty())
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        let mut body = res.into_body();
        let got = sse_events(&mut body, 1).await;
        assert_eq!(got[0].0, "26:0");
        assert_eq!(got[0].1, "VoteCast");
        assert_eq!(got[0].2["decoded"]["support"], "Abstain");
        // a new block is indexed while the client listens
        b.store
            .apply_block(&block(
                31,
                vec![
                    ev(0, &membership(), weight(&bob(), 50, 50, 31)),
                    ev(
                        1,
                        &governor(),
                        vote(1, &alice(), Support::For, 130, (130, 0, 50)),
                    ),
                ],
            ))
            .await
            .unwrap();
        let got = sse_events(&mut body, 1).await;
        assert_eq!(got[0].0, "31:1");
        assert_eq!(got[0].2["block_hash"], format!("0x{:064x}", 31));
        // without Last-Event-ID the stream starts at the head: only newer events come
        let req = Request::get(format!("/events/stream?contract={}", membership()))
            .body(Body::empty())
            .unwrap();
        let mut body = app.clone().oneshot(req).await.unwrap().into_body();
        b.store
            .apply_block(&block(
                32,
                vec![ev(0, &membership(), weight(&bob(), 50, 51, 32))],
            ))
            .await
            .unwrap();
        let got = sse_events(&mut body, 1).await;
        assert_eq!(got[0].0, "32:0");
        // a reorg back to block 31 removes what was sent: the stream says so
        b.store.rollback_to(31, "0xother").await.unwrap();
        let mut text = String::new();
        while !text.contains("event: reorg") {
            let frame = tokio::time::timeout(Duration::from_secs(10), body.frame())
                .await
                .expect("the reorg within 10 s")
                .unwrap()
                .unwrap();
            if let Ok(data) = frame.into_data() {
                text.push_str(std::str::from_utf8(&data).unwrap());
            }
        }
        assert!(text.contains(r#"data: {"head":31}"#), "{text}");
        fails(
            &app,
            "/events/stream?after=yesterday",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn status_health_and_readiness() {
    for b in backends().await {
        let empty = app(AppState::new(Store::open(&b.url).await.unwrap(), config()));
        let (status, headers, body) = get(&empty, "/status").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["x-indexer-head"], "none");
        assert_eq!(body["head"], Value::Null);
        assert_eq!(ok(&empty, "/health").await["status"], "ok");
        fails(
            &empty,
            "/ready",
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
        )
        .await;
        seed(&b.store).await;
        let s = ok(&empty, "/status").await;
        let mut redacted = s.clone();
        redacted["backend"] = serde_json::json!("[backend]");
        json_snapshot!("status", redacted);
        assert_eq!(s["backend"], b.store.backend());
        assert_eq!(ok(&empty, "/ready").await["status"], "ready");
        assert_eq!(
            (s["lag_blocks"].clone(), s["finalized"].clone()),
            (Value::Null, Value::Null),
            "no chain head seen yet"
        );
        // the indexer saw the chain 4 blocks ahead of the store
        let mut seen = atelier_store::ChainHead {
            block: 34,
            hash: "0x34".into(),
            finality: "finalized".into(),
            genesis: format!("0x{}", "ab".repeat(32)),
            evm_chain_id: Some(420_420_420),
        };
        b.store.put_chain_head(&seen).await.unwrap();
        let s = ok(&empty, "/status").await;
        assert_eq!(s["chain"]["caip2"], format!("polkadot:{}", "ab".repeat(16)));
        assert_eq!(s["chain"]["eip155"], "eip155:420420420");
        let fund = ok(&empty, &format!("/funds/{}", compute())).await;
        assert_eq!(fund["caip10"], format!("eip155:420420420:{}", compute()));
        assert_eq!(
            (
                s["lag_blocks"].as_i64(),
                s["finalized"]["number"].as_i64(),
                s["follows"].as_str()
            ),
            (Some(4), Some(34), Some("finalized"))
        );
        seen.block = 36;
        seen.finality = "best".into();
        b.store.put_chain_head(&seen).await.unwrap();
        let s = ok(&empty, "/status").await;
        assert_eq!(
            (
                s["lag_blocks"].as_i64(),
                s["finalized"].clone(),
                s["chain_head"]["number"].as_i64()
            ),
            (Some(6), Value::Null, Some(36))
        );
        // a head that does not move within the stall limit makes the API unready
        let strict = app(AppState::new(
            Store::open(&b.url).await.unwrap(),
            Config {
                stall_after_s: 1,
                ..config()
            },
        ));
        ok(&strict, "/ready").await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let e = fails(
            &strict,
            "/ready",
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
        )
        .await;
        assert!(e["error"]["message"].as_str().unwrap().contains("block 30"));
        b.store.apply_block(&block(31, vec![])).await.unwrap();
        ok(&strict, "/ready").await;
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn every_response_carries_the_indexer_head() {
    for (app, b) in seeded().await {
        let head = format!("30:0x{:064x}", 30);
        for uri in [
            "/proposals",
            "/proposals/0",
            "/proposals/99",
            "/proposals/0/votes",
            "/votes",
            "/members",
            "/contributions",
            "/works/top",
            "/events",
            "/status",
            "/health",
            "/openapi.json",
            "/nope",
            "/proposals?limit=0",
        ] {
            let (_, headers, _) = get(&app, uri).await;
            assert_eq!(headers["x-indexer-head"], head.as_str(), "{uri}");
        }
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn the_api_is_read_only_and_errors_share_one_shape() {
    for (app, b) in seeded().await {
        fails(&app, "/nope", StatusCode::NOT_FOUND, "not_found").await;
        for uri in [
            "/proposals",
            "/proposals/0",
            "/members",
            "/votes",
            "/events/stream",
            "/status",
        ] {
            for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
                let req = Request::builder()
                    .method(method.clone())
                    .uri(uri)
                    .body(Body::empty())
                    .unwrap();
                let (s, headers, body) = call(&app, req).await;
                assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
                assert_eq!(body["error"]["code"], "method_not_allowed");
                assert!(headers[header::ALLOW].to_str().unwrap().contains("GET"));
            }
        }
        // bodies over the limit are refused before any handler runs
        let req = Request::get("/proposals")
            .header(header::CONTENT_LENGTH, "1000000")
            .body(Body::from(vec![b'x'; 1_000_000]))
            .unwrap();
        let (s, _, body) = call(&app, req).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["error"]["code"], "payload_too_large");
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn internal_errors_do_not_leak_sql() {
    for (app, b) in seeded().await {
        // the votes table disappears behind the API's back
        if b.url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(&b.url).await.unwrap();
            sqlx::query("DROP TABLE votes")
                .execute(&pool)
                .await
                .unwrap();
        } else {
            let pool = sqlx::PgPool::connect(&b.url).await.unwrap();
            sqlx::query("DROP TABLE votes")
                .execute(&pool)
                .await
                .unwrap();
        }
        let body = fails(
            &app,
            "/votes",
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
        )
        .await;
        assert_eq!(body["error"]["message"], "internal error");
        let text = body.to_string().to_lowercase();
        for leak in ["votes", "select", "table", "relation", "sqlite", "postgres"] {
            assert!(!text.contains(leak), "{leak} leaked: {text}");
        }
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn slow_requests_time_out_with_503() {
    use sqlx::Connection;
    for b in backends().await {
        // A WAL-mode SQLite database has no lock that holds off a reader while other
        // connections are open, so only PostgreSQL can keep a request waiting on demand.
        let Some(db) = b.pg_db.clone() else {
            eprintln!("slow requests: SQLite half skipped (nothing can stall a WAL reader)");
            continue;
        };
        seed(&b.store).await;
        let app = app(AppState::new(
            b.store,
            Config {
                request_timeout_ms: 1_000,
                ..config()
            },
        ));
        // A request the database keeps waiting answers 503 when its time limit runs out,
        // whatever the machine's speed: the wait ends only when the test lets it.
        let mut hold = sqlx::PgConnection::connect(&b.url).await.expect("postgres");
        for sql in ["BEGIN", "LOCK TABLE proposals IN ACCESS EXCLUSIVE MODE"] {
            sqlx::query(sql).execute(&mut hold).await.expect(sql);
        }
        let (status, _, body) = get(&app, "/proposals").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["error"]["code"], "timeout", "{body}");
        hold.close().await.expect("the lock is released");
        // Released, the same request is served again.
        let (status, _, body) = get(&app, "/proposals").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            !body["items"].as_array().expect("items").is_empty(),
            "{body}"
        );
        drop(app);
        drop_db(Some(db)).await;
    }
}

fn from(ip: &str, uri: &str) -> Request<Body> {
    let mut req = Request::get(uri).body(Body::empty()).unwrap();
    let addr: SocketAddr = format!("{ip}:5000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

#[tokio::test]
async fn clients_are_rate_limited_by_ip_with_headers() {
    for b in backends().await {
        let app = app(AppState::new(
            b.store,
            Config {
                rate_limit: 1,
                rate_burst: 2,
                ..config()
            },
        ));
        let (s, h, _) = call(&app, from("10.0.0.1", "/health")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(h["ratelimit-limit"], "2");
        assert_eq!(h["ratelimit-remaining"], "1");
        call(&app, from("10.0.0.1", "/health")).await;
        let (s, h, body) = call(&app, from("10.0.0.1", "/members")).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["error"]["code"], "rate_limited");
        assert_eq!(h[header::RETRY_AFTER], "1");
        assert_eq!(h["ratelimit-remaining"], "0");
        // another client is not affected
        let (s, _, _) = call(&app, from("10.0.0.2", "/health")).await;
        assert_eq!(s, StatusCode::OK);
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn cors_allows_the_configured_origins() {
    for b in backends().await {
        let app = app(AppState::new(
            b.store,
            Config {
                cors_origins: vec!["https://atelier.example".into()],
                ..config()
            },
        ));
        let preflight = |origin: &str| {
            Request::builder()
                .method(Method::OPTIONS)
                .uri("/proposals")
                .header(header::ORIGIN, origin)
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
                .body(Body::empty())
                .unwrap()
        };
        let (_, h, _) = call(&app, preflight("https://atelier.example")).await;
        assert_eq!(
            h[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://atelier.example"
        );
        let (_, h, _) = call(&app, preflight("https://evil.example")).await;
        assert!(h.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        let req = Request::get("/status")
            .header(header::ORIGIN, "https://atelier.example")
            .body(Body::empty())
            .unwrap();
        let (_, h, _) = call(&app, req).await;
        assert!(h[header::ACCESS_CONTROL_EXPOSE_HEADERS]
            .to_str()
            .unwrap()
            .contains("x-indexer-head"));
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    for (app, b) in seeded().await {
        ok(&app, "/proposals/0").await;
        ok(&app, "/proposals/1").await;
        get(&app, "/proposals/99").await;
        let (s, h, body) = get(&app, "/metrics").await;
        assert_eq!(s, StatusCode::OK);
        assert!(h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"));
        let text = body.as_str().unwrap();
        assert!(text.contains(
            "atelier_api_requests_total{method=\"GET\",route=\"/proposals/{id}\",status=\"200\"} 2"
        ), "{text}");
        assert!(text.contains(
            "atelier_api_requests_total{method=\"GET\",route=\"/proposals/{id}\",status=\"404\"} 1"
        ));
        assert!(text
            .contains("atelier_api_request_duration_seconds_count{route=\"/proposals/{id}\"} 3"));
        assert!(text.contains("atelier_store_pool_connections{state=\"max\"}"));
        assert!(text.contains("atelier_indexer_head_block{} 30"));
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    for (app, b) in seeded().await {
        let doc = ok(&app, "/openapi.json").await;
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = doc["paths"].as_object().unwrap();
        let mut names: Vec<&str> = paths.keys().map(String::as_str).collect();
        names.sort_unstable();
        json_snapshot!("openapi_paths", names);
        // every reference resolves (a query enum not registered as a component would not)
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or(&r);
            assert!(schemas.contains_key(name), "unresolvable {r}");
        }
        for (path, item) in paths {
            let responses = item["get"]["responses"].as_object().unwrap();
            for status in ["200", "400", "429", "500", "503"] {
                assert!(responses.contains_key(status), "{path} lacks {status}");
            }
            assert!(
                responses["200"]["headers"]["x-indexer-head"].is_object(),
                "{path}"
            );
        }
        let (s, h, body) = get(&app, "/docs").await;
        assert_eq!(s, StatusCode::OK);
        assert!(h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(body.as_str().unwrap().contains("openapi.json"));
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn funds_spends_payouts_and_royalties() {
    for (app, b) in seeded().await {
        let fund = compute();
        let funds = ok(&app, "/funds").await;
        json_snapshot!("funds", funds);
        let f = &funds["items"][0];
        assert_eq!(f["role"], "compute_fund");
        // 400 received, 150 paid; the cap of 500 per 100-block epoch has 350 left at head 30
        assert_eq!(
            (f["balance"].as_str(), f["remaining_outflow"].as_str()),
            (Some("250"), Some("350"))
        );
        assert_eq!(f["stewards"], serde_json::json!([carol()]));
        let at = ok(&app, &format!("/funds/{fund}?at_block=28")).await;
        assert_eq!(at["at"]["balance"], "400");
        let at = ok(
            &app,
            &format!(
                "/funds/{}?at_block=27",
                fund.to_uppercase().replace("0X", "0x")
            ),
        )
        .await;
        assert_eq!(at["at"]["balance"], "0", "no flow by block 27");
        fails(
            &app,
            &format!("/funds/{fund}?at_block=31"),
            StatusCode::BAD_REQUEST,
            "block_not_indexed",
        )
        .await;
        fails(
            &app,
            &format!("/funds/{}", acct("99")),
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        fails(&app, "/funds/0x12", StatusCode::BAD_REQUEST, "bad_request").await;

        let flows = walk(&app, &format!("/funds/{fund}/flows"), 1).await;
        let kinds: Vec<&str> = flows.iter().map(|f| f["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["received", "payout"]);
        let payouts_only = ok(&app, &format!("/funds/{fund}/flows?kind=payout")).await;
        assert_eq!(payouts_only["items"][0]["spend_id"], 0);
        fails(
            &app,
            &format!("/funds/{fund}/flows?kind=stolen"),
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        let router_flows = ok(&app, &format!("/funds/{}/flows", router())).await;
        assert_eq!(router_flows["items"][0]["kind"], "forwarded");

        // spend 0 is payable at head 30, spend 1's window closed at 29 unpaid
        let spends = walk(&app, "/spends", 1).await;
        let states: Vec<(i64, &str)> = spends
            .iter()
            .map(|s| (s["id"].as_i64().unwrap(), s["state"].as_str().unwrap()))
            .collect();
        assert_eq!(states, [(0, "payable"), (1, "expired")]);
        assert_eq!(
            ids(ok(&app, "/spends?state=expired").await["items"]
                .as_array()
                .unwrap()),
            [1]
        );
        assert_eq!(
            ids(ok(&app, "/spends?state=open").await["items"]
                .as_array()
                .unwrap()),
            [0]
        );
        assert!(ok(&app, "/spends?state=paid").await["items"]
            .as_array()
            .unwrap()
            .is_empty());
        assert_eq!(
            ids(
                ok(&app, &format!("/spends?beneficiary={}", alice())).await["items"]
                    .as_array()
                    .unwrap()
            ),
            [1]
        );
        fails(
            &app,
            "/spends?state=stolen",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        let detail = ok(&app, &format!("/funds/{fund}/spends/0")).await;
        json_snapshot!("spend_0", detail);
        assert_eq!(
            (detail["paid"].as_str(), detail["tranches_paid"].as_i64()),
            (Some("150"), Some(1))
        );
        assert_eq!(detail["payouts"][0]["steward"], carol());
        fails(
            &app,
            &format!("/funds/{fund}/spends/9"),
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        let payouts = ok(&app, &format!("/payouts?steward={}", carol())).await;
        assert_eq!(payouts["items"].as_array().unwrap().len(), 1);
        assert!(
            ok(&app, &format!("/payouts?beneficiary={}", alice())).await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        // royalties: two payments for work 2, all to Alice
        assert_eq!(walk(&app, "/royalties?work=2", 1).await.len(), 2);
        assert_eq!(
            walk(&app, &format!("/royalties?creator={}", alice()), 5)
                .await
                .len(),
            2
        );
        assert!(ok(&app, "/royalties?work=3").await["items"]
            .as_array()
            .unwrap()
            .is_empty());
        let t = ok(
            &app,
            &format!("/royalties/totals?scope=creator&key={}", alice()),
        )
        .await;
        assert_eq!(
            (
                t["items"][0]["amount"].as_str(),
                t["items"][0]["payments"].as_i64()
            ),
            (Some("2000"), Some(2))
        );
        let w = ok(&app, "/royalties/totals?scope=work").await;
        assert_eq!(
            (
                w["items"][0]["key"].as_str(),
                w["items"][0]["to_compute"].as_str()
            ),
            (Some("2"), Some("400"))
        );
        fails(
            &app,
            "/royalties/totals?scope=work&key=abc",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        fails(
            &app,
            "/royalties/totals",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        let split = ok(&app, "/royalties/split").await;
        assert_eq!(
            (split["compute_bps"].as_i64(), split["frozen"].as_bool()),
            (Some(2000), Some(false))
        );
        drop_db(b.pg_db).await;
    }
}

/// Every `$ref` in a JSON document.
fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn contracts_are_listed_by_role_with_their_own_account() {
    for (app, b) in seeded().await {
        let list = ok(&app, "/contracts").await;
        let roles: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["role"].as_str().unwrap())
            .collect();
        assert_eq!(roles, vec!["compute_fund", "royalty_router"]);
        let fund = &list["items"][0];
        assert_eq!(fund["address"], Value::String(compute()));
        assert_eq!(fund["artifact"], "treasury");
        // the contract's own account: its H160 and twelve 0xEE bytes, as SS58
        let (_, id) = atelier_types::account::ss58_decode(fund["ss58"].as_str().unwrap()).unwrap();
        assert_eq!(format!("0x{}", hex::encode(&id[..20])), compute());
        assert_eq!(id[20..], [0xEE; 12]);
        // and the SS58 text finds the fund again
        let again = ok(&app, &format!("/funds/{}", fund["ss58"].as_str().unwrap())).await;
        assert_eq!(again["address"], Value::String(compute()));
        drop_db(b.pg_db).await;
    }
}

#[tokio::test]
async fn the_web_app_is_served_with_its_chain_url() {
    for b in backends().await {
        let store = Store::open(&b.url).await.unwrap();
        let with_chain = Config {
            chain_url: Some("ws://127.0.0.1:9944".into()),
            ..config()
        };
        let app = app(AppState::new(store, with_chain));
        let (status, headers, body) = get(&app, "/app/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = body.as_str().unwrap();
        assert!(
            html.contains("<script type=\"module\" src=\"app.js\">"),
            "{html}"
        );
        for (path, kind) in [
            ("/app/app.js", "text/javascript"),
            ("/app/chain.js", "text/javascript"),
            ("/app/style.css", "text/css"),
        ] {
            let (status, headers, _) = get(&app, path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(
                headers[header::CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .starts_with(kind),
                "{path}"
            );
        }
        assert_eq!(
            ok(&app, "/app/config.json").await["chain_url"],
            "ws://127.0.0.1:9944"
        );
        let (status, headers, _) = get(&app, "/").await;
        assert_eq!(status, StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(headers[header::LOCATION], "/app/");
        // without a chain URL the page knows it can only read
        let read_only = app_without_chain(&b.url).await;
        assert_eq!(
            ok(&read_only, "/app/config.json").await["chain_url"],
            Value::Null
        );
        drop_db(b.pg_db).await;
    }
}

async fn app_without_chain(url: &str) -> Router {
    app(AppState::new(Store::open(url).await.unwrap(), config()))
}

/// Provenance (audit M-2 of #16): registered datasets and models with their holders,
/// filtered by holder and by dispute, one with each holder's consent; unknown and malformed
/// ids are refused by name.
#[tokio::test]
async fn assets_list_by_holder_and_dispute_and_show_consents() {
    use atelier_types::{Asset, AssetKind, Event};
    let registry = seed::registry();
    let asset = |kind, hash: &str, holders: Vec<String>| Asset {
        kind,
        content_hash: hash.into(),
        license: 1,
        registrant: holders[0].clone(),
        holders,
        consenting: 0,
    };
    for b in backends().await {
        let events = vec![
            ev(
                0,
                &registry,
                Event::AssetRegistered {
                    id: 0,
                    content_hash: format!("0x{}", "d0".repeat(32)),
                    asset: asset(AssetKind::Dataset, "0xd0", vec![bob(), alice()]),
                },
            ),
            ev(
                1,
                &registry,
                Event::AssetRegistered {
                    id: 1,
                    content_hash: format!("0x{}", "d1".repeat(32)),
                    asset: asset(AssetKind::Model, "0xd1", vec![alice()]),
                },
            ),
            ev(
                2,
                &registry,
                Event::ConsentChanged {
                    id: 0,
                    holder: bob(),
                    granted: true,
                    consenting: 1,
                    holders: 2,
                },
            ),
            ev(
                3,
                &registry,
                Event::AssetDisputed {
                    id: 1,
                    claimant: carol(),
                    evidence: format!("0x{}", "ee".repeat(32)),
                },
            ),
        ];
        b.store.apply_blocks(&[block(1, events)]).await.unwrap();
        let app = app(AppState::new(Store::open(&b.url).await.unwrap(), config()));
        assert_eq!(ids(&walk(&app, "/assets", 1).await), [0, 1]);
        assert_eq!(
            ids(&walk(&app, &format!("/assets?holder={}", bob()), 5).await),
            [0]
        );
        assert_eq!(ids(&walk(&app, "/assets?disputed=true", 5).await), [1]);
        assert_eq!(ids(&walk(&app, "/assets?disputed=false", 5).await), [0]);
        let dataset = ok(&app, "/assets/0").await;
        assert_eq!(dataset["kind"], "Dataset");
        assert_eq!(dataset["consenting"], 1);
        assert_eq!(dataset["dispute"], Value::Null);
        assert_eq!(dataset["consents"][0]["holder"], bob());
        assert_eq!(dataset["consents"][0]["granted"], true);
        let model = ok(&app, "/assets/1").await;
        assert_eq!(model["dispute"]["claimant"], carol());
        assert_eq!(model["consents"], serde_json::json!([]));
        fails(&app, "/assets/7", StatusCode::NOT_FOUND, "not_found").await;
        fails(&app, "/assets/x", StatusCode::BAD_REQUEST, "bad_request").await;
        fails(
            &app,
            "/assets?holder=nobody",
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        drop_db(b.pg_db).await;
    }
}
