//! A request built from an operation and a tool's arguments, before anything
//! is sent: the base URL (env override, the operation's own server), the path
//! and query, headers, cookies, credentials, the body and the timeout.

use super::auth::{credentials, Env};
use super::body::{encoded, Encoded};
use super::error::Error;
use super::params::{joined, path_value, query_pairs, query_string};
use super::spec::{Api, In, Operation};
use serde_json::{Map, Value};

/// The timeout when the API's variable is unset or not a number, in seconds.
const DEFAULT_TIMEOUT: f64 = 30.0;

/// Everything to send, still free of any HTTP client.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// The base URL the request went to (for "could not connect" messages).
    pub base: String,
    /// The whole URL, query included.
    pub url: String,
    /// Header parameters and API keys, in order.
    pub headers: Vec<(String, String)>,
    /// The `Cookie` header, if any cookie is sent.
    pub cookie: Option<String>,
    /// A bearer token.
    pub bearer: Option<String>,
    /// Basic credentials.
    pub basic: Option<(String, Option<String>)>,
    /// The body.
    pub body: Option<Encoded>,
    /// Seconds to wait for the answer.
    pub timeout: f64,
}

/// Builds the request for `op` from the arguments `args`, reading env
/// variables through `env`.
pub(crate) fn prepare(
    api: &Api,
    op: &Operation,
    args: &Map<String, Value>,
    env: Env<'_>,
) -> Result<Prepared, Error> {
    let base = base_url(api, op, env)?;
    let mut path = op.path.to_string();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    let mut cookies = Vec::new();
    for p in op.params {
        let Some(value) = args.get(p.arg).filter(|v| !v.is_null()) else {
            continue;
        };
        match p.location {
            In::Path => {
                let placeholder = ["{", p.name, "}"].concat();
                path = path.replace(&placeholder, &path_value(p, value));
            }
            In::Query => query_pairs(p, value, &mut query),
            In::Header => headers.push((p.name.to_string(), joined(value, ",", p.explode))),
            In::Cookie => cookies.push(format!(
                "{}={}",
                p.name,
                super::params::encode(&joined(value, ",", false))
            )),
        }
    }
    let signed = credentials(api, op, env);
    query.extend(signed.query);
    headers.extend(signed.headers);
    cookies.extend(signed.cookies);
    let mut url = format!("{}{}", base.trim_end_matches('/'), path);
    if !query.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query_string(&query));
    }
    let timeout = env(api.timeout_env)
        .and_then(|t| t.parse::<f64>().ok())
        .unwrap_or(DEFAULT_TIMEOUT);
    Ok(Prepared {
        base,
        url,
        headers,
        cookie: (!cookies.is_empty()).then(|| cookies.join("; ")),
        bearer: signed.bearer,
        basic: signed.basic,
        body: op.body.as_ref().and_then(|b| encoded(b, args)),
        timeout,
    })
}

/// The base URL of `op`: the API's (its env variable, else the document's),
/// replaced by the operation's own server when it is absolute, or extended by
/// it when it is relative (relative to where the document is served: the
/// API's origin). Refused unless it is an absolute `http(s)` URL.
pub(crate) fn base_url(api: &Api, op: &Operation, env: Env<'_>) -> Result<String, Error> {
    let api_base = env(api.base_url_env).unwrap_or_else(|| api.base_url.to_string());
    let base = match op.server {
        Some(own) if is_absolute(own) => own.to_string(),
        Some(own) => {
            let origin_end = api_base
                .find("://")
                .and_then(|i| api_base[i + 3..].find('/').map(|j| i + 3 + j))
                .unwrap_or(api_base.len());
            format!(
                "{}/{}",
                &api_base[..origin_end],
                own.trim_start_matches('/')
            )
        }
        None => api_base,
    };
    if !is_absolute(&base) {
        return Err(Error::NoBaseUrl {
            api: api.name,
            base,
            env: api.base_url_env,
        });
    }
    Ok(base)
}

fn is_absolute(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openapi::spec::{Auth, Body, BodyKind, Param, Scheme, Style};
    use serde_json::json;

    static API: Api = Api {
        name: "Pets",
        base_url: "https://pets.example/v1/",
        base_url_env: "PETS_BASE_URL",
        timeout_env: "PETS_TIMEOUT_SECS",
        user_agent: "t/0",
        schemes: &[Scheme {
            name: "key",
            auth: Auth::ApiKey {
                location: In::Query,
                name: "api_key",
                env: "PETS_KEY",
            },
        }],
    };

    const PARAMS: &[Param] = &[
        Param {
            arg: "pet_id",
            name: "petId",
            location: In::Path,
            style: Style::Simple,
            explode: false,
        },
        Param {
            arg: "tags",
            name: "tags",
            location: In::Query,
            style: Style::Form,
            explode: true,
        },
        Param {
            arg: "trace",
            name: "x-trace",
            location: In::Header,
            style: Style::Simple,
            explode: false,
        },
        Param {
            arg: "session",
            name: "session",
            location: In::Cookie,
            style: Style::Form,
            explode: false,
        },
    ];

    fn op(server: Option<&'static str>) -> Operation {
        Operation {
            method: "POST",
            path: "/pets/{petId}",
            server,
            params: PARAMS,
            body: Some(Body {
                kind: BodyKind::Json,
                media_type: "application/json",
                arg: None,
                fields: &[("name", "name")],
            }),
            security: &[&["key"]],
            structured: false,
            wrap: false,
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn args(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn every_argument_goes_where_the_operation_says() {
        let env = |name: &str| (name == "PETS_KEY").then(|| "k 1".to_string());
        let p = prepare(
            &API,
            &op(None),
            &args(json!({"pet_id": "9 9", "tags": ["a", "b"], "trace": [1, 2],
                          "session": "s;1", "name": "Rex", "ignored": true})),
            &env,
        )
        .expect("prepared");
        assert_eq!(
            p.url,
            "https://pets.example/v1/pets/9%209?tags=a&tags=b&api_key=k%201"
        );
        assert_eq!(p.headers, [("x-trace".to_string(), "1,2".to_string())]);
        assert_eq!(p.cookie.as_deref(), Some("session=s%3B1"));
        assert_eq!(p.body.map(|b| b.bytes), Some(br#"{"name":"Rex"}"#.to_vec()));
        assert_eq!(p.timeout, DEFAULT_TIMEOUT);
    }

    #[test]
    fn absent_and_null_arguments_are_left_out() {
        let p = prepare(&API, &op(None), &args(json!({"tags": null})), &no_env).expect("prepared");
        assert_eq!(p.url, "https://pets.example/v1/pets/{petId}");
        assert!(p.headers.is_empty() && p.cookie.is_none() && p.body.is_none());
    }

    #[test]
    fn base_urls_join() {
        let env = |name: &str| match name {
            "PETS_BASE_URL" => Some("http://127.0.0.1:9/api/v2".to_string()),
            "PETS_TIMEOUT_SECS" => Some("2.5".to_string()),
            _ => None,
        };
        assert_eq!(
            base_url(&API, &op(None), &no_env).expect("base"),
            "https://pets.example/v1/"
        );
        assert_eq!(
            base_url(&API, &op(None), &env).expect("base"),
            "http://127.0.0.1:9/api/v2"
        );
        // A relative server is taken from the API's origin.
        assert_eq!(
            base_url(&API, &op(Some("/moved")), &env).expect("base"),
            "http://127.0.0.1:9/moved"
        );
        assert_eq!(
            base_url(&API, &op(Some("https://other.example/x")), &env).expect("base"),
            "https://other.example/x"
        );
        let p = prepare(&API, &op(None), &Map::new(), &env).expect("prepared");
        assert_eq!(p.timeout, 2.5);
    }

    #[test]
    fn a_missing_base_url_names_the_variable() {
        static NONE: Api = Api {
            name: "Nowhere",
            base_url: "/relative",
            base_url_env: "NOWHERE_BASE_URL",
            timeout_env: "NOWHERE_TIMEOUT_SECS",
            user_agent: "t/0",
            schemes: &[],
        };
        let e = base_url(&NONE, &op(None), &no_env).expect_err("refused");
        assert_eq!(
            e.to_string(),
            "Nowhere has no absolute base URL (\"/relative\"); set NOWHERE_BASE_URL to one, as in https://api.example.com"
        );
    }
}
