//! The OpenAPI 3.1 document, generated from the handlers' annotations, served at
//! `/openapi.json` with a small self-contained docs page at `/docs`.
//!
//! What every operation shares is added once here rather than on each handler: the
//! `x-indexer-head` and rate-limit headers, and the 400/429/500/503 error responses.

use axum::{response::Html, routing::get, Json, Router};
use utoipa::{
    openapi::{
        header::Header,
        response::{Response, ResponseBuilder},
        ContentBuilder, Object, OpenApi as Document, Ref, RefOr, Type,
    },
    OpenApi,
};

use crate::{error, routes, AppState};

/// The API's OpenAPI document (before the shared headers and errors are added; see
/// [`document`]).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Atelier indexer API",
        description = "Read-only API over an Atelier DAO's indexed governance: proposals, votes, \
members, contributions, curated works, treasury funds with their spends and payouts, royalty \
flows, the provenance registry's datasets and models (consent, disputes) and the raw event stream. Amounts are decimal strings, \
accounts 0x-hex H160 (account parameters also take the SS58 text a Substrate wallet shows, \
mapped as pallet-revive maps accounts; members carry their SS58 once indexed). Lists are keyset-paginated with opaque cursors; every response carries \
the indexer head it was served at in `x-indexer-head` (`<block>:<hash>`)."
    ),
    paths(
        routes::proposals::list,
        routes::proposals::one,
        routes::votes::of_proposal,
        routes::votes::list,
        routes::members::list,
        routes::members::one,
        routes::members::contributions_of,
        routes::members::delegations_of,
        routes::members::attestations_of,
        routes::contributions::list,
        routes::works::top,
        routes::funds::list,
        routes::funds::one,
        routes::funds::flows,
        routes::funds::spend,
        routes::funds::spends,
        routes::funds::payouts,
        routes::royalties::list,
        routes::royalties::totals,
        routes::royalties::split,
        routes::events::list,
        routes::events::stream,
        routes::status::status,
        routes::status::health,
        routes::status::ready,
        routes::status::metrics,
        routes::contracts::list,
        routes::assets::list,
        routes::assets::one,
    ),
    components(schemas(
        error::ErrorBody,
        error::ErrorDetail,
        routes::contributions::ContributionStatus,
        routes::proposals::ProposalState,
        routes::funds::FlowKind,
        routes::funds::SpendFilter,
        routes::funds::SpendState,
        routes::royalties::Scope,
    )),
    tags(
        (name = "proposals", description = "Proposals, their state, tallies, quorum and summaries"),
        (name = "votes", description = "Votes with weight, reason and relayer"),
        (name = "members", description = "Members, weight now and at a block, delegations"),
        (name = "contributions", description = "Attested contributions"),
        (name = "works", description = "Registered works ranked by curation quality"),
        (name = "funds", description = "Treasury funds, value flows, spends and payouts"),
        (name = "assets", description = "Provenance: datasets and models, their holders' consent, open disputes"),
        (name = "royalties", description = "Royalty payments, totals per work and creator, the split"),
        (name = "events", description = "Raw contract events, listed and streamed"),
        (name = "status", description = "Indexer position, health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

fn error_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

/// The complete document: the generated one plus the headers and error responses every
/// operation shares.
pub fn document() -> Document {
    let mut doc = ApiDoc::openapi();
    let head = Header::builder()
        .schema(Some(Object::with_type(Type::String)))
        .description(Some(
            "The indexer head the response was served at: `<block>:<hash>`, or `none`",
        ))
        .build();
    let int = || Header::new(Object::with_type(Type::Integer));
    for item in doc.paths.paths.values_mut() {
        let Some(op) = item.get.as_mut() else {
            continue;
        };
        for (status, response) in op.responses.responses.iter_mut() {
            if let RefOr::T(r) = response {
                r.headers
                    .insert("x-indexer-head".into(), RefOr::T(head.clone()));
                if status.starts_with('2') {
                    for h in ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] {
                        r.headers.insert(h.into(), RefOr::T(int()));
                    }
                }
            }
        }
        let shared = [
            ("400", "Malformed parameter or cursor"),
            ("429", "Rate limit exceeded (see Retry-After)"),
            ("500", "Internal error (details are logged, not sent)"),
            ("503", "Store unavailable or request took too long"),
        ];
        for (status, description) in shared {
            op.responses
                .responses
                .entry(status.into())
                .or_insert_with(|| error_response(description));
        }
    }
    doc
}

/// `/openapi.json` and `/docs`.
pub fn router() -> Router<AppState> {
    let json = serde_json::to_value(document()).unwrap_or_default();
    Router::new()
        .route("/openapi.json", get(move || async move { Json(json) }))
        .route("/docs", get(|| async { Html(DOCS_PAGE) }))
}

/// A docs page that lists the operations of `/openapi.json` with their parameters; it needs
/// nothing from outside the API.
const DOCS_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Atelier API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:0 .25rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
.op{margin:1rem 0;padding:.5rem 1rem;border-left:4px solid #4a7}.m{font-weight:bold;color:#4a7}
table{border-collapse:collapse}td{padding:.1rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
</style></head><body>
<h1>Atelier indexer API</h1>
<p>The machine-readable description is <a href="openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1).</p>
<div id="doc">Loading…</div>
<script>
fetch('openapi.json').then(r => r.json()).then(d => {
  const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
  let html = '<p>' + esc(d.info.description) + '</p>';
  const byTag = {};
  for (const [path, item] of Object.entries(d.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags || ['other'])[0];
      (byTag[tag] = byTag[tag] || []).push([method, path, op]);
    }
  }
  for (const [tag, ops] of Object.entries(byTag)) {
    html += '<h2>' + esc(tag) + '</h2>';
    for (const [method, path, op] of ops) {
      html += '<div class="op"><span class="m">' + esc(method.toUpperCase()) + '</span> <code>' + esc(path) + '</code>';
      html += '<p>' + esc(op.summary || op.description || '') + '</p>';
      const params = op.parameters || [];
      if (params.length) {
        html += '<table>' + params.map(p => '<tr><td><code>' + esc(p.name) + '</code></td><td>' + esc(p.in) +
          '</td><td>' + esc(p.description) + '</td></tr>').join('') + '</table>';
      }
      html += '<p>Responses: ' + Object.keys(op.responses).map(esc).join(', ') + '</p></div>';
    }
  }
  document.getElementById('doc').innerHTML = html;
});
</script></body></html>"#;
