//! Name rules: package names as cargo checks them, tool names as the MCP
//! spec allows them, and the Rust identifiers derived from both. Every
//! adjustment is deterministic and comes back as a note to report.

use heck::{ToPascalCase, ToSnakeCase};

/// Longest tool name we generate (the spec allows more, but clients commonly cap at 64).
pub const MAX_TOOL_NAME: usize = 64;

/// Rust's keywords, strict and reserved, in every edition.
const KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `s` is a Rust keyword.
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// What cargo thinks of a package name.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PackageNameCheck {
    /// Warnings: the name works but may cause trouble.
    pub warnings: Vec<String>,
}

/// Checks a package name as `cargo new` does, with cargo's messages.
pub fn check_package_name(name: &str) -> Result<PackageNameCheck, String> {
    let help = "If you need a package name to not match the directory name, pass the directory with --path.";
    if name.is_empty() {
        return Err("package name cannot be empty".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "invalid character `{c}` in package name: `{name}`, characters must be ASCII letters, numbers, `-` or `_`\n{help}"
        ));
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!("the name `{name}` cannot be used as a package name, the name cannot start with a digit\n{help}"));
    }
    if is_keyword(name) {
        return Err(format!(
            "the name `{name}` cannot be used as a package name, it is a Rust keyword\n{help}"
        ));
    }
    if name == "test" {
        return Err(format!("the name `{name}` cannot be used as a package name, it conflicts with Rust's built-in test library\n{help}"));
    }
    if ["deps", "examples", "build", "incremental"].contains(&name) {
        return Err(format!("the name `{name}` cannot be used as a package name, it conflicts with cargo's build directory names\n{help}"));
    }
    let mut check = PackageNameCheck::default();
    if ["alloc", "core", "std", "proc_macro", "proc-macro"].contains(&name) {
        check
            .warnings
            .push(format!("the name `{name}` is part of Rust's standard library\nIt is recommended to use a different name to avoid problems."));
    }
    let lower = name.to_ascii_lowercase();
    let windows = [
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
        "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    ];
    if windows.contains(&lower.as_str()) {
        check.warnings.push(format!("the name `{name}` is a reserved Windows filename\nThis package will not work on Windows platforms."));
    }
    Ok(check)
}

/// A tool (or prompt) name made valid: only `A-Z a-z 0-9 _ - .`, at most
/// [`MAX_TOOL_NAME`] characters. Returns the name and, if it changed, why.
pub fn tool_name(requested: &str) -> Result<(String, Option<String>), String> {
    let cleaned: String = requested
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed: String = cleaned.chars().take(MAX_TOOL_NAME).collect();
    if trimmed.chars().all(|c| c == '_') {
        return Err(format!("`{requested}` has no letter or digit; a tool name needs at least one (A-Z, a-z, 0-9, '_', '-', '.')"));
    }
    if trimmed == requested {
        return Ok((trimmed, None));
    }
    let mut why = Vec::new();
    if cleaned != requested {
        why.push("characters other than A-Z, a-z, 0-9, '_', '-' and '.' became '_'");
    }
    if trimmed.len() < cleaned.len() {
        why.push("it was cut to 64 characters");
    }
    Ok((
        trimmed.clone(),
        Some(format!(
            "tool name `{requested}` became `{trimmed}`: {}",
            why.join(", ")
        )),
    ))
}

/// The Rust module (and function) name for an item: snake_case, never a
/// keyword, never starting with a digit, distinct from every name in `taken`.
/// Returns the name and, if it differs from the plain snake_case, why.
pub fn module_name(name: &str, taken: &[String]) -> (String, Option<String>) {
    let base = name.replace(['-', '.'], "_").to_snake_case();
    let mut base: String = base
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let mut why = None;
    if base.is_empty() {
        base = "item".into();
    }
    if base.starts_with(|c: char| c.is_ascii_digit()) {
        base = format!("n{base}");
        why = Some(format!(
            "`{name}` starts with a digit, so its Rust module is `{base}`"
        ));
    }
    if is_keyword(&base) || base == "generated" || base == "tools" || base == "mod" {
        let fixed = format!("{base}_");
        why = Some(format!("`{base}` is a Rust keyword or a reserved module name, so `{name}` uses the module `{fixed}`"));
        base = fixed;
    }
    if !taken.contains(&base) {
        return (base, why);
    }
    let mut n = 2;
    loop {
        let candidate = format!("{base}_{n}");
        if !taken.contains(&candidate) {
            let why = format!("`{name}` would share the Rust module `{base}` with another item, so it uses `{candidate}`");
            return (candidate, Some(why));
        }
        n += 1;
    }
}

/// The PascalCase type-name stem for a module name (`get_user` → `GetUser`).
pub fn type_stem(module: &str) -> String {
    let stem = module.trim_end_matches('_').to_pascal_case();
    if stem.is_empty() {
        "Item".into()
    } else {
        stem
    }
}

/// The Rust crate name for a package name (`my-server` → `my_server`).
pub fn crate_name(package: &str) -> String {
    package.replace('-', "_")
}

/// A field name for an argument: snake_case, raw if a keyword. Returns the
/// Rust field and whether serde needs a rename.
pub fn field_name(arg: &str) -> Result<(String, bool), String> {
    if arg.is_empty()
        || !arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "argument name `{arg}` may only contain A-Z, a-z, 0-9, '_' and '-'"
        ));
    }
    if arg.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!("argument name `{arg}` cannot start with a digit"));
    }
    let snake = arg.to_snake_case();
    let field = if is_keyword(&snake) {
        format!("r#{snake}")
    } else {
        snake.clone()
    };
    Ok((field, snake != arg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_rules() {
        assert!(check_package_name("1abc")
            .unwrap_err()
            .contains("cannot start with a digit"));
        assert!(check_package_name("fn")
            .unwrap_err()
            .contains("Rust keyword"));
        assert!(check_package_name("test")
            .unwrap_err()
            .contains("test library"));
        assert!(!check_package_name("core").unwrap().warnings.is_empty());
        assert!(check_package_name("my-server").unwrap().warnings.is_empty());
    }

    #[test]
    fn collisions_are_deterministic() {
        let (a, _) = module_name("search-input", &[]);
        let (b, why) = module_name("search_input", std::slice::from_ref(&a));
        assert_eq!(a, "search_input");
        assert_eq!(b, "search_input_2");
        assert!(why.is_some());
        assert_eq!(module_name("type", &[]).0, "type_");
        assert_eq!(module_name("3d", &[]).0, "n3d");
    }

    #[test]
    fn tool_names_follow_the_spec() {
        assert_eq!(tool_name("repos/get").unwrap().0, "repos_get");
        assert_eq!(tool_name(&"x".repeat(80)).unwrap().0.len(), 64);
        assert!(tool_name("///").is_err());
    }
}
