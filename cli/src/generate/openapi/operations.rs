//! The operations of a document, read into one model whatever the version:
//! OpenAPI 3.0 and 3.1 as they are, Swagger 2.0 converted on the way in
//! (`in: body` and `in: formData` become a request body, parameter types
//! become schemas, `produces`/`consumes` become media types).

use super::error::OpenApiError;
use super::source::{escape, Located, Sources};
use serde_json::{json, Map, Value};
use std::path::Path;

/// The HTTP methods an OpenAPI path item may hold, in the order tools are listed.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Which OpenAPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// Swagger 2.0.
    Swagger2,
    /// OpenAPI 3.0.x.
    V30,
    /// OpenAPI 3.1.x (and later 3.x, read as 3.1).
    V31,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In the Cookie header.
    Cookie,
}

impl Location {
    /// Its name in OpenAPI.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }
}

/// A parameter, `$ref`s followed.
#[derive(Debug, Clone)]
pub struct Param {
    /// Its name on the wire.
    pub name: String,
    /// Where it goes.
    pub location: Location,
    /// Whether it must be given.
    pub required: bool,
    /// What it is.
    pub description: Option<String>,
    /// Its schema (in its file).
    pub schema: Located,
    /// `form`, `simple`, `deepObject`, `spaceDelimited`, `pipeDelimited`, ...
    pub style: String,
    /// Whether arrays and objects explode.
    pub explode: bool,
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// JSON.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// Anything else, sent as text.
    Text,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// The chosen media type.
    pub media_type: String,
    /// How it is encoded.
    pub kind: BodyKind,
    /// Its schema.
    pub schema: Located,
    /// Whether it must be given.
    pub required: bool,
    /// What it is.
    pub description: Option<String>,
}

/// What a successful answer holds.
#[derive(Debug, Clone)]
pub enum Reply {
    /// JSON, with its schema when the document gives one.
    Json(Option<Located>),
    /// Something else (text or bytes), by media type.
    Other(String),
    /// Nothing declared.
    Empty,
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Where it is, as a JSON pointer into the root file.
    pub pointer: String,
    /// `get`, `post`, ...
    pub method: String,
    /// The path template.
    pub path: String,
    /// `operationId`.
    pub operation_id: Option<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `x-mcp` (false: leave it out).
    pub x_mcp: Option<bool>,
    /// `x-mcp-name`.
    pub x_mcp_name: Option<String>,
    /// Parameters, path-level merged with operation-level.
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<Body>,
    /// The 2xx answer.
    pub reply: Reply,
    /// Security requirements: alternatives, each a list of scheme names.
    pub security: Vec<Vec<String>>,
    /// Whether `deprecated: true`.
    pub deprecated: bool,
    /// The operation's own server (`servers` on the operation, else on its
    /// path item; OpenAPI 3.x), when it has one.
    pub server: Option<String>,
}

/// The URL of the first entry of a `servers` array, its variables at their defaults.
pub fn first_server(servers: Option<&Value>) -> Option<String> {
    let first = servers?.as_array()?.first()?;
    let mut url = first.get("url")?.as_str()?.to_string();
    if let Some(Value::Object(vars)) = first.get("variables") {
        for (k, v) in vars {
            let default = v.get("default").map(|d| match d {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            url = url.replace(&format!("{{{k}}}"), &default.unwrap_or_default());
        }
    }
    Some(url)
}

/// The document's version, or why it is not one.
pub fn version(file: &Path, doc: &Value) -> Result<(Version, Option<String>), OpenApiError> {
    if !doc.is_object() {
        return Err(OpenApiError::new(
            file,
            "",
            "not an OpenAPI document: the top level is not an object",
        ));
    }
    if let Some(s) = doc.get("swagger") {
        return match s.as_str() {
            Some(v) if v.starts_with("2.") => Ok((Version::Swagger2, None)),
            _ => Err(OpenApiError::new(
                file,
                "/swagger",
                format!("unsupported Swagger version {s}; only 2.0 is read"),
            )),
        };
    }
    let Some(v) = doc.get("openapi") else {
        return Err(OpenApiError::new(
            file,
            "",
            "not an OpenAPI document: it has neither an `openapi` nor a `swagger` field",
        ));
    };
    let v = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if v.starts_with("3.0") {
        Ok((Version::V30, None))
    } else if v.starts_with("3.1") {
        Ok((Version::V31, None))
    } else if v.starts_with("3.") {
        Ok((
            Version::V31,
            Some(format!(
                "OpenAPI {v} is read as 3.1; features new in {v} are ignored"
            )),
        ))
    } else {
        Err(OpenApiError::new(
            file,
            "/openapi",
            format!("unsupported OpenAPI version `{v}`; 2.0, 3.0 and 3.1 are supported"),
        ))
    }
}

/// Every operation, in document order.
pub fn operations(sources: &Sources, version: Version) -> Result<Vec<Operation>, OpenApiError> {
    let root = sources.root_doc();
    let file = &sources.root;
    let mut out = Vec::new();
    let Some(paths) = root.get("paths") else {
        return Ok(out);
    };
    let Value::Object(paths) = paths else {
        return Err(OpenApiError::new(
            file,
            "/paths",
            "`paths` must be an object",
        ));
    };
    let root_security = security(root.get("security"));
    for (path, item) in paths {
        if !path.starts_with('/') {
            if path.starts_with("x-") {
                continue;
            }
            return Err(OpenApiError::new(
                file,
                &format!("/paths/{}", escape(path)),
                "a path must start with `/`",
            ));
        }
        let item = sources.deref(Located {
            file: file.clone(),
            pointer: format!("/paths/{}", escape(path)),
            value: item.clone(),
        })?;
        let Value::Object(map) = &item.value else {
            return Err(OpenApiError::new(
                &item.file,
                &item.pointer,
                "a path item must be an object",
            ));
        };
        let shared = params_of(sources, &item, map.get("parameters"), "parameters")?;
        let path_server = first_server(map.get("servers"));
        for method in METHODS {
            let Some(op) = map.get(*method) else { continue };
            let here = Located {
                file: item.file.clone(),
                pointer: format!("{}/{method}", item.pointer),
                value: op.clone(),
            };
            if !op.is_object() {
                return Err(OpenApiError::new(
                    &here.file,
                    &here.pointer,
                    "an operation must be an object",
                ));
            }
            out.push(operation(
                sources,
                version,
                root,
                &root_security,
                path,
                method,
                &here,
                &shared,
                path_server.as_deref(),
            )?);
        }
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn operation(
    sources: &Sources,
    version: Version,
    root: &Value,
    root_security: &Option<Vec<Vec<String>>>,
    path: &str,
    method: &str,
    here: &Located,
    shared: &[(Located, Value)],
    path_server: Option<&str>,
) -> Result<Operation, OpenApiError> {
    let op = &here.value;
    let text = |k: &str| {
        op.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|s| !s.trim().is_empty())
    };
    let own = params_of(sources, here, op.get("parameters"), "parameters")?;
    // Operation-level parameters override path-level ones with the same name and location.
    let mut raw: Vec<(Located, Value)> = shared
        .iter()
        .filter(|(_, p)| {
            !own.iter()
                .any(|(_, o)| o.get("name") == p.get("name") && o.get("in") == p.get("in"))
        })
        .cloned()
        .collect();
    raw.extend(own);
    let mut params = Vec::new();
    let mut form_fields: Vec<(String, Located, bool, Option<String>)> = Vec::new();
    let mut body = None;
    let mut has_file = false;
    for (at, p) in &raw {
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
        let description = p
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string);
        let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
        if name.is_empty() && location != "body" {
            return Err(OpenApiError::new(
                &at.file,
                &at.pointer,
                "a parameter needs a `name`",
            ));
        }
        let location = match location {
            "path" => Location::Path,
            "query" => Location::Query,
            "header" => Location::Header,
            "cookie" => Location::Cookie,
            "body" if version == Version::Swagger2 => {
                let schema = Located {
                    file: at.file.clone(),
                    pointer: format!("{}/schema", at.pointer),
                    value: p.get("schema").cloned().unwrap_or(json!({})),
                };
                let media = consumes(root, op)
                    .into_iter()
                    .find(|m| is_json(m))
                    .unwrap_or_else(|| "application/json".into());
                body = Some(Body {
                    media_type: media,
                    kind: BodyKind::Json,
                    schema,
                    required,
                    description,
                });
                continue;
            }
            "formData" if version == Version::Swagger2 => {
                has_file |= p.get("type").and_then(Value::as_str) == Some("file");
                form_fields.push((name, swagger_schema(at, p), required, description));
                continue;
            }
            other => {
                return Err(OpenApiError::new(
                    &at.file,
                    &format!("{}/in", at.pointer),
                    format!("unknown parameter location `{other}`"),
                ));
            }
        };
        if location == Location::Header
            && ["accept", "content-type", "authorization"]
                .contains(&name.to_ascii_lowercase().as_str())
        {
            continue; // OpenAPI says these are ignored: media types and security schemes set them.
        }
        let schema = if version == Version::Swagger2 {
            swagger_schema(at, p)
        } else if let Some(s) = p.get("schema") {
            Located {
                file: at.file.clone(),
                pointer: format!("{}/schema", at.pointer),
                value: s.clone(),
            }
        } else if let Some((media, c)) = p
            .get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.iter().next())
        {
            let _ = media;
            Located {
                file: at.file.clone(),
                pointer: format!("{}/content", at.pointer),
                value: c.get("schema").cloned().unwrap_or(json!({})),
            }
        } else {
            Located {
                file: at.file.clone(),
                pointer: at.pointer.clone(),
                value: json!({}),
            }
        };
        let default_style = match location {
            Location::Query | Location::Cookie => "form",
            Location::Path | Location::Header => "simple",
        };
        let style = if version == Version::Swagger2 {
            match p.get("collectionFormat").and_then(Value::as_str) {
                Some("ssv") => "spaceDelimited",
                Some("pipes") => "pipeDelimited",
                Some("multi") => "form",
                Some("csv") | None => default_style,
                Some(_) => default_style,
            }
            .to_string()
        } else {
            p.get("style")
                .and_then(Value::as_str)
                .unwrap_or(default_style)
                .to_string()
        };
        let explode = match p.get("explode").and_then(Value::as_bool) {
            Some(e) => e,
            None if version == Version::Swagger2 => {
                p.get("collectionFormat").and_then(Value::as_str) == Some("multi")
            }
            None => style == "form",
        };
        params.push(Param {
            required: required || location == Location::Path,
            name,
            location,
            description,
            schema,
            style,
            explode,
        });
    }
    if !form_fields.is_empty() {
        let multipart = has_file
            || consumes(root, op)
                .iter()
                .any(|m| m.starts_with("multipart/"));
        let mut props = Map::new();
        let mut req = Vec::new();
        for (name, schema, required, description) in form_fields {
            let mut s = schema.value;
            if let (Some(d), Value::Object(m)) = (description, &mut s) {
                m.entry("description").or_insert(json!(d));
            }
            if required {
                req.push(json!(name));
            }
            props.insert(name, s);
        }
        body = Some(Body {
            media_type: if multipart {
                "multipart/form-data"
            } else {
                "application/x-www-form-urlencoded"
            }
            .into(),
            kind: if multipart {
                BodyKind::Multipart
            } else {
                BodyKind::Form
            },
            schema: Located {
                file: here.file.clone(),
                pointer: format!("{}/parameters", here.pointer),
                value: json!({"type": "object", "properties": props, "required": req}),
            },
            required: !req.is_empty(),
            description: None,
        });
    }
    if version != Version::Swagger2 {
        if let Some(rb) = op.get("requestBody") {
            let rb = sources.deref(Located {
                file: here.file.clone(),
                pointer: format!("{}/requestBody", here.pointer),
                value: rb.clone(),
            })?;
            body = request_body(&rb);
        }
    }
    let reply = reply(sources, version, root, here)?;
    let security = match op.get("security") {
        Some(s) => security(Some(s)).unwrap_or_default(),
        None => root_security.clone().unwrap_or_default(),
    };
    Ok(Operation {
        pointer: here.pointer.clone(),
        method: method.to_string(),
        path: path.to_string(),
        operation_id: text("operationId"),
        summary: text("summary"),
        description: text("description"),
        tags: strings(op.get("tags")),
        x_mcp: op.get("x-mcp").and_then(Value::as_bool),
        x_mcp_name: op
            .get("x-mcp-name")
            .and_then(Value::as_str)
            .map(str::to_string),
        params,
        body,
        reply,
        security,
        deprecated: op
            .get("deprecated")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        server: first_server(op.get("servers")).or_else(|| path_server.map(str::to_string)),
    })
}

fn params_of(
    sources: &Sources,
    owner: &Located,
    list: Option<&Value>,
    key: &str,
) -> Result<Vec<(Located, Value)>, OpenApiError> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = list else {
        return Err(OpenApiError::new(
            &owner.file,
            &format!("{}/{key}", owner.pointer),
            "`parameters` must be a list",
        ));
    };
    let mut out = Vec::new();
    for (i, p) in items.iter().enumerate() {
        let node = sources.deref(Located {
            file: owner.file.clone(),
            pointer: format!("{}/{key}/{i}", owner.pointer),
            value: p.clone(),
        })?;
        if !node.value.is_object() {
            return Err(OpenApiError::new(
                &node.file,
                &node.pointer,
                "a parameter must be an object",
            ));
        }
        let v = node.value.clone();
        out.push((node, v));
    }
    Ok(out)
}

/// A Swagger 2.0 non-body parameter's type keywords, as a schema.
fn swagger_schema(at: &Located, p: &Value) -> Located {
    let mut s = Map::new();
    if let Value::Object(m) = p {
        for (k, v) in m {
            if matches!(
                k.as_str(),
                "type"
                    | "format"
                    | "items"
                    | "enum"
                    | "default"
                    | "minimum"
                    | "maximum"
                    | "exclusiveMinimum"
                    | "exclusiveMaximum"
                    | "minLength"
                    | "maxLength"
                    | "pattern"
                    | "minItems"
                    | "maxItems"
                    | "uniqueItems"
                    | "multipleOf"
            ) {
                s.insert(k.clone(), v.clone());
            }
        }
    }
    Located {
        file: at.file.clone(),
        pointer: at.pointer.clone(),
        value: Value::Object(s),
    }
}

fn consumes(root: &Value, op: &Value) -> Vec<String> {
    strings(op.get("consumes").or_else(|| root.get("consumes")))
}

/// The strings of a JSON array (other entries skipped); empty when it is not one.
fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a media type is JSON (`application/json`, `application/vnd.x+json`, `*/*`).
pub fn is_json(media: &str) -> bool {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    m == "application/json"
        || m.ends_with("+json")
        || m == "*/*"
        || m == "application/*"
        || m == "text/json"
}

fn request_body(rb: &Located) -> Option<Body> {
    let content = rb.value.get("content")?.as_object()?;
    let required = rb
        .value
        .get("required")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let description = rb
        .value
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_string);
    let pick = content
        .iter()
        .find(|(m, _)| is_json(m) && *m != "*/*")
        .map(|x| (x, BodyKind::Json))
        .or_else(|| {
            content
                .iter()
                .find(|(m, _)| m.starts_with("application/x-www-form-urlencoded"))
                .map(|x| (x, BodyKind::Form))
        })
        .or_else(|| {
            content
                .iter()
                .find(|(m, _)| m.starts_with("multipart/form-data"))
                .map(|x| (x, BodyKind::Multipart))
        })
        .or_else(|| {
            content
                .iter()
                .find(|(m, _)| *m == "*/*")
                .map(|x| (x, BodyKind::Json))
        })
        .or_else(|| content.iter().next().map(|x| (x, BodyKind::Text)))?;
    let ((media, mt), kind) = pick;
    let schema = mt.get("schema").cloned().unwrap_or(match kind {
        BodyKind::Text => json!({"type": "string"}),
        _ => json!({}),
    });
    let schema = if kind == BodyKind::Text {
        json!({"type": "string"})
    } else {
        schema
    };
    Some(Body {
        media_type: if media == "*/*" {
            "application/json".into()
        } else {
            media.clone()
        },
        kind,
        schema: Located {
            file: rb.file.clone(),
            pointer: format!("{}/content/{}/schema", rb.pointer, escape(media)),
            value: schema,
        },
        required,
        description,
    })
}

fn reply(
    sources: &Sources,
    version: Version,
    root: &Value,
    here: &Located,
) -> Result<Reply, OpenApiError> {
    let Some(Value::Object(responses)) = here.value.get("responses") else {
        return Ok(Reply::Empty);
    };
    let mut codes: Vec<&String> = responses.keys().filter(|c| c.starts_with('2')).collect();
    codes.sort();
    let Some(code) = codes.first() else {
        return Ok(Reply::Empty);
    };
    let r = sources.deref(Located {
        file: here.file.clone(),
        pointer: format!("{}/responses/{code}", here.pointer),
        value: responses[*code].clone(),
    })?;
    if version == Version::Swagger2 {
        let produces = strings(here.value.get("produces").or_else(|| root.get("produces")));
        let Some(schema) = r.value.get("schema") else {
            return Ok(Reply::Empty);
        };
        if !produces.is_empty() && !produces.iter().any(|m| is_json(m)) {
            return Ok(Reply::Other(produces[0].clone()));
        }
        return Ok(Reply::Json(Some(Located {
            file: r.file.clone(),
            pointer: format!("{}/schema", r.pointer),
            value: schema.clone(),
        })));
    }
    let Some(Value::Object(content)) = r.value.get("content") else {
        return Ok(Reply::Empty);
    };
    if let Some((media, mt)) = content.iter().find(|(m, _)| is_json(m)) {
        return Ok(Reply::Json(mt.get("schema").map(|s| Located {
            file: r.file.clone(),
            pointer: format!("{}/content/{}/schema", r.pointer, escape(media)),
            value: s.clone(),
        })));
    }
    Ok(match content.keys().next() {
        Some(m) => Reply::Other(m.clone()),
        None => Reply::Empty,
    })
}

fn security(value: Option<&Value>) -> Option<Vec<Vec<String>>> {
    let list = value?.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_object)
            .map(|req| req.keys().cloned().collect())
            .collect(),
    )
}
