var x=class extends Error{constructor(a,t,s){super(s),this.status=a,this.code=t}};async function L(e,a){let t;try{t=await fetch(e,{headers:{accept:"application/json"}})}catch(r){throw new x(0,"unreachable",`the Atelier API cannot be reached (${r.message})`)}let s=t.headers.get("x-indexer-head");s&&a&&a(s);let h=await t.json().catch(()=>null);if(!t.ok){let r=h&&h.error;throw new x(t.status,r?r.code:"http",r?r.message:`HTTP ${t.status}`)}return h}function V(){return L("/app/config.json")}function I(e,a,t=12e4){return new Promise((s,h)=>{let r=new EventSource(`/events/stream?kind=${encodeURIComponent(e)}`),$=setTimeout(()=>{r.close(),h(new Error(`the indexer did not report the ${e} within ${t/1e3} s`))},t);r.addEventListener(e,o=>{let d=JSON.parse(o.data);d.decoded&&a(d.decoded)&&(clearTimeout($),r.close(),s(d))})})}var N=null,A=()=>(N=N||import("./chain.js"),N),u=e=>document.querySelector(e),c={accounts:[],account:null,config:null};function n(e){return String(e??"").replace(/[&<>"']/g,a=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"})[a])}function w(e){return e?`${e.slice(0,8)}\u2026${e.slice(-6)}`:""}function T(e){if(e==null)return"\u2013";let a=BigInt(e),t=a/10n**18n,s=(a%10n**18n).toString().padStart(18,"0").replace(/0+$/,"");return s?`${t}.${s}`:`${t}`}function g(e){return e==null?"\u2013":BigInt(e).toLocaleString("en")}function C(e,a=""){let t=u("#notice");t.textContent=e,t.className=a,t.hidden=!e}function B(e){u("#head").textContent=`indexed to block ${e.split(":")[0]}`}var b=e=>L(e,B);function D(e){return e.replace(/([a-z])([A-Z])/g,"$1 $2").toLowerCase()}var W={VotingNotOpen:"Voting on this proposal is not open: it has not started yet or has closed.",AlreadyVoted:"This account has already voted on this proposal.",NoVotingWeight:"This account had no voting weight at the proposal\u2019s snapshot, so it cannot vote on it.",ReasonTooLong:"The reason is too long for the governor; shorten it.",NotSteward:"Only a steward of this fund can pay out its spends, and this account is not one.",Expired:"This spend has expired: its payout window has closed.",OutflowCapReached:"Paying this now would exceed the fund\u2019s outflow cap over its rolling window; it can be paid once earlier payouts leave the window.",NotYetValid:"This spend\u2019s payout window has not opened yet.",TrancheNotDue:"The next tranche of this spend is not due yet.",AlreadyPaid:"This spend has been paid in full.",Voided:"This spend was voided and can no longer be paid.",InsufficientFunds:"The fund does not hold enough to pay this.",ConsentMissing:"A dataset this spend trains on lacks its rights holders\u2019 consent."};function U(e,a,t){let s=e(a,t);return s?`${W[s]||`The ${a} refused: ${D(s)}.`} (${s})`:`The ${a} refused the call (${t}).`}function E(){if(!c.account)throw new Error("Connect a wallet and pick an account first.");return c.account}async function Y(){let e=await b("/contracts");return Object.fromEntries(e.items.map(a=>[a.role,a.address]))}async function O({contract:e,dest:a,input:t,kind:s,match:h,status:r}){let $=E(),{chain:o,dryRun:d,send:l,refusal:i,isUnmapped:v,mapAccount:p}=await A();if(c.config=c.config||await V(),!c.config.chain_url)throw new Error("This server was started without a chain URL (atelier serve --chain-url), so it cannot send transactions.");r("Connecting to the chain\u2026");let f=await o(c.config.chain_url);r("Dry-running the call\u2026");let m;try{m=await d(f,$,a,t)}catch(y){if(!v(y))throw y;await p(f,$,r),m=await d(f,$,a,t)}if(m.reverted)throw new Error(U(i,e,m.data));let S=I(s,h);S.catch(()=>{});let k=await l(f,$,a,t,m,r);return r(`Finalized in block ${k.slice(0,10)}\u2026; waiting for the indexer\u2026`),S}async function Q(e){let a=await b("/proposals?limit=100"),t=a.items.slice().reverse().map(s=>`
    <tr>
      <td><a href="#/proposals/${s.id}">#${s.id}</a></td>
      <td><a href="#/proposals/${s.id}">${n(s.title||"(untitled)")}</a></td>
      <td><span class="state" data-state="${n(s.state)}">${n(s.state)}</span></td>
      <td>${n(g(s.tallies.for))} / ${n(g(s.tallies.against))} / ${n(g(s.tallies.abstain))}</td>
    </tr>`).join("");e.innerHTML=`
    <h1>Proposals</h1>
    ${a.items.length?`<table>
      <thead><tr><th>Id</th><th>Title</th><th>State</th><th>For / Against / Abstain</th></tr></thead>
      <tbody>${t}</tbody></table>`:'<p class="muted">No proposals indexed yet.</p>'}`}function z(e){let a=e.summary;if(!a||!a.text)return`<section class="card summary" aria-label="AI summary"><h2>Summary</h2>
      <p class="muted">Summary pending: the worker has not summarised this proposal yet.</p></section>`;let t=a.anchored?a.matches_anchor?'<span class="ok">anchored on-chain: its hash matches the governor\u2019s record</span>':'<span class="error">anchored on-chain, but the hash on chain differs from this text</span>':'<span class="muted">not anchored on-chain</span>';return`<section class="card summary" aria-label="AI summary"><h2>Summary</h2>
    <p>${n(a.text)}</p>
    <p class="muted">Neutral summary by <code>${n(a.model_id)}</code>, hash <code>${n(w(a.hash))}</code>; ${t}.</p></section>`}function J(e){return!e.actions||!e.actions.length?'<p class="muted">No actions.</p>':`<table id="actions"><thead><tr><th>Target</th><th>Call</th><th>Value</th></tr></thead><tbody>${e.actions.map(a=>`
    <tr><td class="mono">${n(a.call?a.call.contract:"")} ${n(w(a.target))}</td>
      <td>${a.call?`<strong>${n(a.call.message)}</strong><pre class="mono">${n(JSON.stringify(a.call.args,null,1))}</pre>`:`<code>${n(a.selector)}</code> <code>${n(a.input)}</code> <span class="muted">(not decoded: the target is not a contract of this DAO)</span>`}</td>
      <td>${n(T(a.value))}</td></tr>`).join("")}</tbody></table>`}async function P(e,a){let[t,s]=await Promise.all([b(`/proposals/${a}`),b(`/proposals/${a}/votes?limit=200`)]),h=t.quorum||{},r=["for","against","abstain"].reduce((l,i)=>l+BigInt(t.tallies[i]),0n),$=h.required?BigInt(h.required):0n,o=$>0n?Number(r*100n/$):100,d="";if(c.account){let l=t.timeline.snapshot;try{let i=await b(`/members/${c.account}?at_block=${l}`);d=`Your voting weight at the snapshot (block ${l}): <strong>${n(g(i.at.votes))}</strong>.`}catch(i){if(i instanceof x&&i.code==="not_found")d="This account is not a member: it has no voting weight.";else if(i instanceof x&&i.code==="block_not_indexed")d=`The snapshot (block ${l}) is not indexed yet.`;else throw i}}e.innerHTML=`
    <p><a href="#/proposals">\u2190 Proposals</a></p>
    <h1>#${t.id} ${n(t.title||"(untitled)")}</h1>
    <p><span class="state" data-state="${n(t.state)}">${n(t.state)}</span>
      proposed by <span class="mono">${n(t.proposer)}</span> in block ${t.timeline.created};
      voting blocks ${t.timeline.snapshot}\u2013${t.timeline.vote_end}.</p>
    ${z(t)}
    <h2>Tallies</h2>
    <table><tbody>
      <tr><th>For</th><td id="tally-for">${n(g(t.tallies.for))}</td></tr>
      <tr><th>Against</th><td id="tally-against">${n(g(t.tallies.against))}</td></tr>
      <tr><th>Abstain</th><td id="tally-abstain">${n(g(t.tallies.abstain))}</td></tr>
    </tbody></table>
    <p>Quorum: ${n(g(String(r)))} of ${n(g(h.required))} needed (${h.bps/100}% of ${n(g(h.total_weight))})
      ${h.reached?'<span class="ok">reached</span>':""}</p>
    <div class="bar" role="progressbar" aria-label="Quorum progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${Math.min(o,100)}"><span style="width:${Math.min(o,100)}%"></span></div>
    <form id="vote" class="card" aria-label="Cast your vote">
      <fieldset><legend>Your vote</legend>
        <p id="my-weight">${d||"Connect a wallet to vote."}</p>
        <label><input type="radio" name="support" value="For" checked> For</label>
        <label><input type="radio" name="support" value="Against"> Against</label>
        <label><input type="radio" name="support" value="Abstain"> Abstain</label>
        <p><label for="reason">Reason (optional, public)</label><br><textarea id="reason" rows="2" maxlength="1024"></textarea></p>
        <button type="submit" id="cast">Cast vote</button>
        <p class="status" id="vote-status" role="status" aria-live="polite"></p>
      </fieldset>
    </form>
    <h2>Actions</h2>
    ${J(t)}
    <h2>Votes</h2>
    <table id="votes"><thead><tr><th>Voter</th><th>Support</th><th>Weight</th><th>Reason</th></tr></thead>
      <tbody>${s.items.map(l=>`<tr><td class="mono">${n(l.voter)}</td><td>${n(l.support)}</td><td>${n(g(l.weight))}</td><td>${n(l.reason||"")}</td></tr>`).join("")||'<tr><td colspan="4" class="muted">No votes yet.</td></tr>'}</tbody></table>
    <h2>Description</h2>
    <pre class="description">${n(t.description||"")}</pre>`,u("#vote").addEventListener("submit",async l=>{l.preventDefault();let i=(p,f="")=>{let m=u("#vote-status");m.textContent=p,m.className=`status ${f}`},v=u("#cast");v.disabled=!0;try{let p=E(),f=new FormData(l.target).get("support"),m=u("#reason").value.trim(),{h160Of:S,encodeCall:k,scale:y}=await A(),R=(await Y()).governor,M=S(p),H=k("governor","cast_vote",[y.u32(t.id),y.variant("governor","Support",f),y.optionText(m)]);await O({contract:"governor",dest:R,input:H,kind:"VoteCast",status:i,match:j=>j.id===t.id&&j.voter.toLowerCase()===M}),await P(e,a);let F=u("#vote-status");F.textContent=`Your ${f} vote is indexed.`,F.className="status ok"}catch(p){i(p.message,"error"),v.disabled=!1}})}async function q(e){let[a,t]=await Promise.all([b("/funds"),b("/spends?state=open&limit=200")]),s=c.account?(await A()).h160Of(c.account):null,h=a.items.map(o=>`
    <tr><td>${n(o.role||"")}<br><span class="mono">${n(o.address)}</span></td>
      <td>${n(T(o.balance))}</td>
      <td>${n(T(o.outflow_cap))} per ${n(o.epoch_blocks)} blocks</td>
      <td>${n(T(o.remaining_outflow))}</td>
      <td>${o.stewards.map(d=>`<span class="mono">${n(w(d))}</span>${d===s?" (you)":""}`).join("<br>")}</td></tr>`).join(""),r=Object.fromEntries(a.items.map(o=>[o.address,o])),$=t.items.map(o=>`
    <tr data-spend="${o.id}"><td>#${o.id}</td><td>${n((r[o.fund]||{}).role||w(o.fund))}</td>
      <td class="mono">${n(w(o.beneficiary))}</td>
      <td>${n(T(o.paid))} of ${n(T(o.amount))}; ${o.tranches_paid}/${o.tranches} tranches</td>
      <td>blocks ${o.valid_from}\u2013${o.expires_at}</td>
      <td><span class="state">${n(o.state)}</span></td>
      <td><button type="button" class="payout" data-id="${o.id}" data-fund="${n(o.fund)}">Pay out</button>
        <p class="status" id="payout-status-${o.id}" role="status" aria-live="polite"></p></td></tr>`).join("");e.innerHTML=`
    <h1>Stewards</h1>
    <p>Stewards pay out what governance approved, within each spend\u2019s window and the fund\u2019s outflow cap, which holds over any window of the fund\u2019s epoch length.</p>
    <h2>Funds</h2>
    <table><thead><tr><th>Fund</th><th>Balance</th><th>Outflow cap</th><th>Left in the window</th><th>Stewards</th></tr></thead><tbody>${h}</tbody></table>
    <h2>Approved spends</h2>
    ${t.items.length?`<table><thead><tr><th>Spend</th><th>Fund</th><th>Beneficiary</th><th>Paid</th><th>Window</th><th>State</th><th></th></tr></thead><tbody>${$}</tbody></table>`:'<p class="muted">No approved spend is open.</p>'}`,e.querySelectorAll("button.payout").forEach(o=>o.addEventListener("click",async()=>{let d=Number(o.dataset.id),l=(i,v="")=>{let p=u(`#payout-status-${d}`);p.textContent=i,p.className=`status ${v}`};o.disabled=!0;try{let i=E(),{h160Of:v,encodeCall:p,scale:f}=await A(),m=v(i),S=p("treasury","payout",[f.u32(d)]),k=await O({contract:"treasury",dest:o.dataset.fund,input:S,kind:"PayoutMade",status:l,match:y=>y.id===d&&y.steward.toLowerCase()===m});await q(e),C(`Spend #${d}: paid ${T(k.decoded.amount)} to ${w(k.decoded.beneficiary)} (tranche ${k.decoded.tranche+1}); indexed in block ${k.block}.`,"ok")}catch(i){l(i.message,"error"),o.disabled=!1}}))}async function K(e){let a=await b("/works/top?limit=20");e.innerHTML=`
    <h1>Top works</h1>
    <p class="muted">Ranked by curation quality (originality \xD7 (1 \u2212 spam) \xD7 descriptiveness), not by recency.</p>
    ${a.items.length?`<table><thead><tr><th>Work</th><th>Quality</th><th>Originality</th><th>Spam</th><th>Style</th><th>Flags</th></tr></thead><tbody>${a.items.map(t=>`
      <tr><td><strong>${n(t.title)}</strong><br><span class="muted">${n(t.prompt)}</span></td>
        <td>${t.curation.quality.toFixed(3)}</td><td>${t.curation.originality.toFixed(3)}</td>
        <td>${t.curation.spam.toFixed(3)}</td><td>${n(t.curation.style||"\u2013")}</td>
        <td>${t.curation.near_duplicate?`near-duplicate of #${n(t.curation.copy_of??t.curation.nearest)}`:""}${t.curation.is_spam?" spam":""}</td></tr>`).join("")}</tbody></table>`:'<p class="muted">No work is scored yet: the curation scores appear once the worker has run.</p>'}`}async function Z(e){let a=await b("/assets?limit=100");e.innerHTML=`
    <h1>Provenance</h1>
    <p class="muted">Datasets and models, registered by one of their rights holders. While someone disputes a registration its consent is suspended, until governance resolves the dispute.</p>
    ${a.items.length?`<table><thead><tr><th>Asset</th><th>Kind</th><th>Holders</th><th>Consent</th><th>Registration</th></tr></thead><tbody>${a.items.map(t=>`
      <tr><td>#${n(t.id)} <code title="${n(t.content_hash)}">${n(t.content_hash.slice(0,14))}\u2026</code></td>
        <td>${n(t.kind)}</td><td>${t.holders.map(s=>n(w(s))).join(", ")}</td>
        <td>${n(t.consenting)} of ${n(t.holders.length)}</td>
        <td>${t.dispute?`<span class="error">disputed by ${n(w(t.dispute.claimant))}</span>`:"undisputed"}</td></tr>`).join("")}</tbody></table>`:'<p class="muted">No dataset or model is registered yet.</p>'}`}async function _(){let e=u("#view"),a=location.hash||"#/proposals",t=a.match(/^#\/proposals\/(\d+)$/);try{t?await P(e,Number(t[1])):a==="#/stewards"?await q(e):a==="#/works"?await K(e):a==="#/provenance"?await Z(e):await Q(e)}catch(s){e.innerHTML=`<p class="error">${n(s.message)}</p>`}}function G(){let e=u("#account");e.innerHTML=c.accounts.map(t=>`<option value="${n(t.address)}">${n(t.name||w(t.address))} (${n(w(t.address))})</option>`).join("");let a=localStorage.getItem("atelier.account");c.account=c.accounts.some(t=>t.address===a)?a:c.accounts[0].address,e.value=c.account,u("#account-label").hidden=!1,u("#connect").hidden=!0}u("#connect").addEventListener("click",async()=>{try{c.accounts=await(await A()).connectWallet(),G(),localStorage.setItem("atelier.account",c.account),C(`Connected: ${c.accounts.length} account(s).`,"ok"),_()}catch(e){C(e.message,"error")}});u("#account").addEventListener("change",e=>{c.account=e.target.value,localStorage.setItem("atelier.account",c.account),_()});window.addEventListener("hashchange",()=>{C(""),_()});_();
