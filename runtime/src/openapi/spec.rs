//! What generated code says about an API and its operations: plain `static`
//! data (base URL, env variable names, security schemes, where each argument
//! goes), so one client serves every imported API.

/// An API: where it is and how to sign in.
#[derive(Debug)]
pub struct Api {
    /// Its name, for messages.
    pub name: &'static str,
    /// The base URL from the document (or `--base-url`); empty if none.
    pub base_url: &'static str,
    /// The env variable that overrides the base URL.
    pub base_url_env: &'static str,
    /// The env variable with the timeout in seconds (default 30).
    pub timeout_env: &'static str,
    /// The `User-Agent` sent upstream (generated code passes its own
    /// `CARGO_PKG_NAME/CARGO_PKG_VERSION`).
    pub user_agent: &'static str,
    /// Its security schemes.
    pub schemes: &'static [Scheme],
}

/// A named security scheme.
#[derive(Debug)]
pub struct Scheme {
    /// Its name in the document.
    pub name: &'static str,
    /// What it sends.
    pub auth: Auth,
}

/// Credentials and where they go.
#[derive(Debug)]
pub enum Auth {
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// Where it goes.
        location: In,
        /// Its name there.
        name: &'static str,
        /// The env variable holding it.
        env: &'static str,
    },
    /// `Authorization: Bearer <token>`.
    Bearer {
        /// The env variable holding the token.
        env: &'static str,
    },
    /// HTTP basic authentication.
    Basic {
        /// The env variable holding the user name.
        username_env: &'static str,
        /// The env variable holding the password.
        password_env: &'static str,
    },
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In the Cookie header.
    Cookie,
}

/// How a parameter is serialized (OpenAPI's `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `a,b,c`.
    Simple,
    /// `name=a&name=b` (exploded) or `name=a,b`.
    Form,
    /// `name[key]=value`.
    DeepObject,
    /// `name=a%20b`.
    SpaceDelimited,
    /// `name=a|b`.
    PipeDelimited,
    /// `.a.b` in a path.
    Label,
    /// `;name=a` in a path.
    Matrix,
}

/// One parameter: the argument it comes from and where it goes.
#[derive(Debug)]
pub struct Param {
    /// The argument's name in the input schema.
    pub arg: &'static str,
    /// The parameter's name on the wire.
    pub name: &'static str,
    /// Where it goes.
    pub location: In,
    /// How it is serialized.
    pub style: Style,
    /// Whether arrays and objects explode.
    pub explode: bool,
}

/// How a body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// JSON.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// Sent as text.
    Text,
}

/// The request body.
#[derive(Debug)]
pub struct Body {
    /// Encoding.
    pub kind: BodyKind,
    /// The media type sent.
    pub media_type: &'static str,
    /// The argument holding the whole body, if it is one argument.
    pub arg: Option<&'static str>,
    /// (argument, property) pairs, when the body's properties are arguments.
    pub fields: &'static [(&'static str, &'static str)],
}

/// One operation.
#[derive(Debug)]
pub struct Operation {
    /// HTTP method.
    pub method: &'static str,
    /// Path template, as in the document.
    pub path: &'static str,
    /// The operation's own server (`servers` on it or its path): an absolute
    /// URL replaces the API's base URL, a relative one is taken from its origin.
    pub server: Option<&'static str>,
    /// Parameters.
    pub params: &'static [Param],
    /// The body, if any.
    pub body: Option<Body>,
    /// Security alternatives, each a list of scheme names (empty: none needed).
    pub security: &'static [&'static [&'static str]],
    /// Whether the answer is structured content (the tool has an output schema).
    pub structured: bool,
    /// Whether the answer goes under `result` (its schema is not an object).
    pub wrap: bool,
}
