//! The resource server end to end: real signed JWTs (keys made here), a
//! JWKS served on loopback, and a protected axum app.
#![cfg(feature = "auth")]

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Extension, Router};
use base64::Engine as _;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use mcp_runtime::auth::{protect, AccessToken, Auth, AuthConfig, JwksVerifier};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod auth_support;
use auth_support::serve;

const ISSUER: &str = "https://as.example.com";
const RESOURCE: &str = "https://mcp.example.com/mcp";
const METADATA_URL: &str = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A signing key made in the test, with its public JWK.
struct TestKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Value,
    /// The raw public key bytes (for the HMAC-confusion attack).
    public: Vec<u8>,
}

fn ed25519(kid: &str) -> TestKey {
    let rng = SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).expect("keygen");
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("key");
    let public = pair.public_key().as_ref().to_vec();
    TestKey {
        kid: kid.into(),
        alg: Algorithm::EdDSA,
        encoding: EncodingKey::from_ed_der(pkcs8.as_ref()),
        jwk: json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&public), "kid": kid, "use": "sig", "alg": "EdDSA"}),
        public,
    }
}

fn p256(kid: &str) -> TestKey {
    let rng = SystemRandom::new();
    let pkcs8 =
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("keygen");
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .expect("key");
    let public = pair.public_key().as_ref().to_vec();
    // Uncompressed point: 0x04 || x || y.
    let (x, y) = (&public[1..33], &public[33..65]);
    TestKey {
        kid: kid.into(),
        alg: Algorithm::ES256,
        encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
        jwk: json!({"kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y), "kid": kid, "use": "sig"}),
        public,
    }
}

fn claims(scope: &str) -> Value {
    json!({
        "iss": ISSUER,
        "aud": RESOURCE,
        "sub": "alice",
        "client_id": "client-1",
        "scope": scope,
        "iat": now(),
        "exp": now() + 300,
    })
}

fn sign(key: &TestKey, claims: &Value) -> String {
    let mut header = Header::new(key.alg);
    header.kid = Some(key.kid.clone());
    encode(&header, claims, &key.encoding).expect("sign")
}

/// A token whose header and signature are written by hand.
fn forge(header: Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes()),
        b64(signature)
    )
}

/// The JWKS server: its document can change, its hits are counted.
#[derive(Clone, Default)]
struct Jwks {
    doc: Arc<Mutex<Value>>,
    hits: Arc<AtomicUsize>,
}

impl Jwks {
    fn set(&self, keys: &[&TestKey]) {
        let keys: Vec<Value> = keys.iter().map(|k| k.jwk.clone()).collect();
        *self.doc.lock().expect("lock") = json!({ "keys": keys });
    }
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn serve_jwks(jwks: Jwks) -> String {
    let app = Router::new()
        .route(
            "/jwks",
            get(|State(j): State<Jwks>| async move {
                j.hits.fetch_add(1, Ordering::SeqCst);
                let doc = j.doc.lock().expect("lock").clone();
                ([("content-type", "application/json")], doc.to_string())
            }),
        )
        .with_state(jwks);
    format!("{}/jwks", serve(app).await)
}

async fn echo(Extension(token): Extension<Arc<AccessToken>>, body: String) -> String {
    json!({ "sub": token.subject, "client": token.client_id, "scopes": token.scopes, "body": body })
        .to_string()
}

fn app_router() -> Router {
    Router::new()
        .route("/mcp", post(echo))
        .route("/health", get(|| async { "ok" }))
}

fn config(jwks_url: &str) -> AuthConfig {
    AuthConfig {
        resource_url: Some(RESOURCE.into()),
        issuer_url: Some(ISSUER.into()),
        authorization_servers: vec![ISSUER.into()],
        jwks_url: Some(jwks_url.into()),
        audience: vec![RESOURCE.into()],
        required_scopes: vec!["mcp:read".into()],
        scopes_supported: vec!["mcp:read".into(), "mcp:write".into()],
        leeway: Duration::from_secs(5),
        ..AuthConfig::default()
    }
}

struct Setup {
    base: String,
    jwks: Jwks,
    ed: TestKey,
    ec: TestKey,
    client: reqwest::Client,
}

async fn setup(tweak: impl FnOnce(&mut AuthConfig)) -> Setup {
    let jwks = Jwks::default();
    let (ed, ec) = (ed25519("ed-1"), p256("ec-1"));
    jwks.set(&[&ed, &ec]);
    let url = serve_jwks(jwks.clone()).await;
    let mut c = config(&url);
    tweak(&mut c);
    let auth = Arc::new(Auth::from_config(c).expect("config"));
    let base = serve(protect(app_router(), auth, "/mcp")).await;
    Setup {
        base,
        jwks,
        ed,
        ec,
        client: reqwest::Client::new(),
    }
}

struct Answer {
    status: u16,
    challenge: Option<String>,
    body: Value,
}

async fn call(s: &Setup, token: Option<&str>) -> Answer {
    let mut request = s
        .client
        .post(format!("{}/mcp", s.base))
        .header("content-type", "application/json")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        challenge,
        body,
    }
}

/// A 401 with `error="invalid_token"`, the metadata URL and a JSON-RPC body.
fn assert_invalid(a: &Answer, why: &str) {
    assert_eq!(a.status, 401, "{why}: {:?}", a.body);
    let c = a.challenge.as_deref().unwrap_or_default();
    assert!(c.starts_with("Bearer "), "{why}: {c}");
    assert!(c.contains("error=\"invalid_token\""), "{why}: {c}");
    assert!(
        c.contains(&format!("resource_metadata=\"{METADATA_URL}\"")),
        "{why}: {c}"
    );
    assert!(c.contains("scope=\"mcp:read\""), "{why}: {c}");
    assert_eq!(a.body["jsonrpc"], "2.0", "{why}");
    assert!(a.body["error"]["message"].is_string(), "{why}");
}

#[tokio::test]
async fn a_good_token_reaches_the_handler_with_its_scopes() {
    let s = setup(|_| {}).await;
    for key in [&s.ed, &s.ec] {
        let a = call(&s, Some(&sign(key, &claims("mcp:read mcp:write")))).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        assert_eq!(a.body["sub"], "alice");
        assert_eq!(a.body["client"], "client-1");
        assert_eq!(a.body["scopes"], json!(["mcp:read", "mcp:write"]));
    }
    // Both keys came from one fetch.
    assert_eq!(s.jwks.hits(), 1);
}

#[tokio::test]
async fn a_missing_token_gets_401_naming_the_metadata() {
    let s = setup(|_| {}).await;
    let a = call(&s, None).await;
    assert_eq!(a.status, 401);
    assert_eq!(
        a.challenge.as_deref(),
        Some(format!("Bearer scope=\"mcp:read\", resource_metadata=\"{METADATA_URL}\"").as_str())
    );
    assert_eq!(a.body["jsonrpc"], "2.0");
    assert_eq!(a.body["id"], Value::Null);
    assert!(a.body["error"]["code"].is_i64());
    // Another scheme is no bearer token either.
    let r = s
        .client
        .post(format!("{}/mcp", s.base))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn malformed_tokens_are_refused() {
    let s = setup(|_| {}).await;
    for token in ["not-a-jwt", "a.b.c", "e30.e30.e30", "x.y"] {
        assert_invalid(&call(&s, Some(token)).await, token);
    }
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused() {
    let s = setup(|_| {}).await;
    let mut c = claims("mcp:read");
    c["exp"] = json!(now() - 60);
    let a = call(&s, Some(&sign(&s.ed, &c))).await;
    assert_invalid(&a, "expired");
    assert!(a.challenge.unwrap_or_default().contains("expired"));
    // Within the leeway an expired token still passes.
    c["exp"] = json!(now() - 2);
    assert_eq!(call(&s, Some(&sign(&s.ed, &c))).await.status, 200);

    let mut c = claims("mcp:read");
    c["nbf"] = json!(now() + 120);
    assert_invalid(&call(&s, Some(&sign(&s.ed, &c))).await, "nbf");
    let mut c = claims("mcp:read");
    c.as_object_mut().map(|m| m.remove("exp"));
    assert_invalid(&call(&s, Some(&sign(&s.ed, &c))).await, "no exp");
}

#[tokio::test]
async fn tokens_for_another_audience_or_issuer_are_refused() {
    let s = setup(|_| {}).await;
    let mut c = claims("mcp:read");
    c["aud"] = json!("https://other.example.com/mcp");
    assert_invalid(&call(&s, Some(&sign(&s.ed, &c))).await, "audience");
    c["aud"] = json!(["https://other.example.com", RESOURCE]);
    assert_eq!(
        call(&s, Some(&sign(&s.ed, &c))).await.status,
        200,
        "one of several audiences"
    );
    let mut c = claims("mcp:read");
    c.as_object_mut().map(|m| m.remove("aud"));
    assert_invalid(&call(&s, Some(&sign(&s.ed, &c))).await, "no audience");

    let mut c = claims("mcp:read");
    c["iss"] = json!("https://evil.example.com");
    assert_invalid(&call(&s, Some(&sign(&s.ed, &c))).await, "issuer");
}

#[tokio::test]
async fn alg_none_and_hmac_confusion_are_refused() {
    let s = setup(|_| {}).await;
    let c = claims("mcp:read");
    let none = forge(json!({"alg": "none", "typ": "JWT"}), &c, b"");
    let a = call(&s, Some(&none)).await;
    assert_invalid(&a, "alg none");
    assert!(a.challenge.unwrap_or_default().contains("none"));
    let none_kid = forge(json!({"alg": "none", "kid": "ed-1"}), &c, b"");
    assert_invalid(&call(&s, Some(&none_kid)).await, "alg none with kid");

    // HS256 "signed" with the public key as the shared secret.
    for key in [&s.ed, &s.ec] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(key.kid.clone());
        let confused = encode(&header, &c, &EncodingKey::from_secret(&key.public)).expect("sign");
        assert_invalid(&call(&s, Some(&confused)).await, "HS256 confusion");
    }
    // An algorithm allowed in general but not the key's: ES256 header on the Ed25519 key.
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("ed-1".into());
    let wrong = encode(&header, &c, &s.ec.encoding).expect("sign");
    assert_invalid(&call(&s, Some(&wrong)).await, "key/alg mismatch");
}

#[tokio::test]
async fn bad_signatures_are_refused() {
    let s = setup(|_| {}).await;
    // Signed by a key the server does not know, under a known kid.
    let stranger = ed25519("ed-1");
    assert_invalid(
        &call(&s, Some(&sign(&stranger, &claims("mcp:read")))).await,
        "foreign key",
    );
    // A good token with its payload swapped.
    let good = sign(&s.ed, &claims("mcp:read"));
    let parts: Vec<&str> = good.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(claims("mcp:read mcp:admin").to_string().as_bytes()),
        parts[2]
    );
    assert_invalid(&call(&s, Some(&tampered)).await, "tampered");
}

#[tokio::test]
async fn unknown_kids_are_refused_and_refetching_is_rate_limited() {
    let s = setup(|_| {}).await;
    assert_eq!(
        call(&s, Some(&sign(&s.ed, &claims("mcp:read"))))
            .await
            .status,
        200
    );
    assert_eq!(s.jwks.hits(), 1);
    let stranger = ed25519("ed-unknown");
    for _ in 0..5 {
        let a = call(&s, Some(&sign(&stranger, &claims("mcp:read")))).await;
        assert_invalid(&a, "unknown kid");
    }
    // The last fetch was moments ago: no fetch per unknown kid.
    assert_eq!(s.jwks.hits(), 1);
}

#[tokio::test]
async fn a_rotated_key_is_fetched_when_its_kid_appears() {
    let s = setup(|c| c.jwks_min_refresh = Duration::ZERO).await;
    assert_eq!(
        call(&s, Some(&sign(&s.ed, &claims("mcp:read"))))
            .await
            .status,
        200
    );
    let next = ed25519("ed-2");
    s.jwks.set(&[&s.ed, &next]);
    let a = call(&s, Some(&sign(&next, &claims("mcp:read")))).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(s.jwks.hits(), 2);
    // A kid that is still unknown after the refetch is refused.
    let stranger = ed25519("ed-3");
    assert_invalid(
        &call(&s, Some(&sign(&stranger, &claims("mcp:read")))).await,
        "still unknown",
    );
}

#[tokio::test]
async fn too_few_scopes_get_403_insufficient_scope() {
    let s = setup(|c| c.required_scopes = vec!["mcp:read".into(), "mcp:write".into()]).await;
    let a = call(&s, Some(&sign(&s.ed, &claims("mcp:read")))).await;
    assert_eq!(a.status, 403, "{:?}", a.body);
    let c = a.challenge.unwrap_or_default();
    assert!(c.starts_with("Bearer error=\"insufficient_scope\""), "{c}");
    assert!(c.contains("scope=\"mcp:read mcp:write\""), "{c}");
    assert!(
        c.contains(&format!("resource_metadata=\"{METADATA_URL}\"")),
        "{c}"
    );
    assert_eq!(a.body["error"]["data"]["error"], "insufficient_scope");
    let a = call(&s, Some(&sign(&s.ed, &claims("mcp:write mcp:read")))).await;
    assert_eq!(a.status, 200);
}

#[tokio::test]
async fn custom_routes_stay_public_and_metadata_is_served() {
    let s = setup(|_| {}).await;
    let r = s
        .client
        .get(format!("{}/health", s.base))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 200);
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let r = s
            .client
            .get(format!("{}{path}", s.base))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(
            r.headers()
                .get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok()),
            Some("*")
        );
        let doc: Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
        assert_eq!(doc["resource"], RESOURCE);
        assert_eq!(doc["authorization_servers"], json!([ISSUER]));
        assert_eq!(doc["scopes_supported"], json!(["mcp:read", "mcp:write"]));
        assert_eq!(doc["bearer_methods_supported"], json!(["header"]));
    }
    // The trailing-slash form of the endpoint is protected too.
    let r = s
        .client
        .post(format!("{}/mcp/", s.base))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn an_unreachable_jwks_gives_503_not_401() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}/jwks", listener.local_addr().expect("addr"));
    drop(listener);
    let auth = Arc::new(Auth::from_config(config(&dead)).expect("config"));
    let base = serve(protect(app_router(), auth, "/mcp")).await;
    let s = Setup {
        base,
        jwks: Jwks::default(),
        ed: ed25519("ed-1"),
        ec: p256("ec-1"),
        client: reqwest::Client::new(),
    };
    let a = call(&s, Some(&sign(&s.ed, &claims("mcp:read")))).await;
    assert_eq!(a.status, 503, "{:?}", a.body);
}

#[tokio::test]
async fn the_verifier_is_usable_alone() {
    let jwks = Jwks::default();
    let key = p256("k");
    jwks.set(&[&key]);
    let url = serve_jwks(jwks.clone()).await;
    let verifier = JwksVerifier::new(&config(&url)).expect("verifier");
    use mcp_runtime::auth::TokenVerifier;
    let token = verifier
        .verify(&sign(&key, &claims("a b")))
        .await
        .expect("valid");
    assert_eq!(token.scopes, vec!["a", "b"]);
    assert_eq!(token.subject.as_deref(), Some("alice"));
    assert!(token.expires_at.is_some_and(|e| e > now()));
    assert_eq!(token.claims["iss"], ISSUER);
}
