//! Credentials from the environment: which security alternative of an
//! operation can be met with the variables that are set, and what each of its
//! schemes adds to the request (an API key, a bearer token, basic credentials).

use super::spec::{Api, Auth, In, Operation, Scheme};

/// Where env variables are read: the process environment in a server, a map
/// in tests.
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, with empty values treated as unset.
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// What the chosen schemes add to a request.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Credentials {
    /// API keys sent in the query string.
    pub query: Vec<(String, String)>,
    /// API keys sent as headers.
    pub headers: Vec<(String, String)>,
    /// API keys sent as cookies, as `name=value` (value encoded).
    pub cookies: Vec<String>,
    /// A bearer token.
    pub bearer: Option<String>,
    /// A user name and an optional password.
    pub basic: Option<(String, Option<String>)>,
}

/// The credentials of the first security alternative whose variables are all
/// set; nothing when none is (the request goes out unsigned, and the API says
/// what it thinks of that).
pub(crate) fn credentials(api: &Api, op: &Operation, env: Env<'_>) -> Credentials {
    let mut out = Credentials::default();
    for scheme in chosen(api, op, env).unwrap_or_default() {
        match &scheme.auth {
            Auth::ApiKey {
                location,
                name,
                env: var,
            } => {
                let key = env(var).unwrap_or_default();
                match location {
                    In::Query => out.query.push((name.to_string(), key)),
                    In::Cookie => out
                        .cookies
                        .push(format!("{name}={}", super::params::encode(&key))),
                    In::Header | In::Path => out.headers.push((name.to_string(), key)),
                }
            }
            Auth::Bearer { env: var } => out.bearer = env(var),
            Auth::Basic {
                username_env,
                password_env,
            } => {
                out.basic = Some((env(username_env).unwrap_or_default(), env(password_env)));
            }
        }
    }
    out
}

/// The first security alternative whose credentials are all set.
fn chosen<'a>(api: &'a Api, op: &Operation, env: Env<'_>) -> Option<Vec<&'a Scheme>> {
    for alternative in op.security {
        let schemes: Vec<&Scheme> = alternative
            .iter()
            .filter_map(|name| api.schemes.iter().find(|s| s.name == *name))
            .collect();
        let ready = schemes.iter().all(|s| match &s.auth {
            Auth::ApiKey { env: var, .. } | Auth::Bearer { env: var } => env(var).is_some(),
            Auth::Basic { username_env, .. } => env(username_env).is_some(),
        });
        if ready && schemes.len() == alternative.len() {
            return Some(schemes);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    static API: Api = Api {
        name: "Test",
        base_url: "",
        base_url_env: "T_BASE_URL",
        timeout_env: "T_TIMEOUT_SECS",
        user_agent: "t/0",
        schemes: &[
            Scheme {
                name: "key",
                auth: Auth::ApiKey {
                    location: In::Header,
                    name: "x-key",
                    env: "T_KEY",
                },
            },
            Scheme {
                name: "cookie",
                auth: Auth::ApiKey {
                    location: In::Cookie,
                    name: "sid",
                    env: "T_SID",
                },
            },
            Scheme {
                name: "token",
                auth: Auth::Bearer { env: "T_TOKEN" },
            },
            Scheme {
                name: "basic",
                auth: Auth::Basic {
                    username_env: "T_USER",
                    password_env: "T_PASSWORD",
                },
            },
        ],
    };

    fn op(security: &'static [&'static [&'static str]]) -> Operation {
        Operation {
            method: "GET",
            path: "/",
            server: None,
            params: &[],
            body: None,
            security,
            structured: false,
            wrap: false,
        }
    }

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_first_alternative_with_every_variable_set_wins() {
        let env = env_of(&[("T_TOKEN", "tok"), ("T_SID", "a b")]);
        let c = credentials(&API, &op(&[&["key", "cookie"], &["token", "cookie"]]), &env);
        assert_eq!(c.bearer.as_deref(), Some("tok"));
        assert_eq!(c.cookies, ["sid=a%20b"]);
        assert!(c.headers.is_empty());
    }

    #[test]
    fn nothing_is_sent_when_no_alternative_is_ready() {
        let env = env_of(&[("T_KEY", "k")]);
        let c = credentials(&API, &op(&[&["key", "token"]]), &env);
        assert_eq!(c, Credentials::default());
        // An unknown scheme name makes its alternative unusable.
        let c = credentials(&API, &op(&[&["nope"], &["key"]]), &env);
        assert_eq!(c.headers, [("x-key".to_string(), "k".to_string())]);
    }

    #[test]
    fn basic_needs_only_the_user_name() {
        let env = env_of(&[("T_USER", "me")]);
        let c = credentials(&API, &op(&[&["basic"]]), &env);
        assert_eq!(c.basic, Some(("me".to_string(), None)));
    }

    #[test]
    fn empty_process_variables_count_as_unset() {
        assert_eq!(process_env("CARGO_MCP_TEST_SURELY_UNSET_VARIABLE"), None);
    }
}
