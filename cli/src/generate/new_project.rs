//! `cargo mcp new`: a project with a `hello` tool, written into a temporary
//! folder beside its target and moved into place only when complete.

use super::error::{io, Error, Result};
use super::files::{apply, Owner, PlannedFile};
use super::metadata::{self, Arg, ArgType, AuthKind, Tool};
use super::names::{check_package_name, crate_name};
use super::plan::{plan, Pending};
use super::project::Project;
use super::render::{render, GitIgnore, LibRs, MainRs, ProjectManifest, ProjectReadme};
use super::versions;
use std::path::{Path, PathBuf};

/// Where generated projects take `mcp-runtime` from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeSource {
    /// A local checkout.
    Path(PathBuf),
    /// A version from crates.io.
    Version(String),
}

impl RuntimeSource {
    /// The default when neither `--runtime-path` nor `--runtime-version` is
    /// given: the runtime of the checkout this CLI was built from while that
    /// checkout is still there, else the published runtime this CLI was built for.
    pub fn default_for_cli() -> RuntimeSource {
        Self::choose(Path::new(env!("CARGO_MANIFEST_DIR")))
    }

    /// The decision for a CLI whose crate was at `cli_dir` when built: a path
    /// dependency when `cli_dir` is the `cli/` of a checkout of this workspace
    /// (beside `runtime/`, the `mcp-runtime` package, under a workspace
    /// manifest), a version from crates.io otherwise (an installed package has
    /// no `runtime/` beside it).
    pub fn choose(cli_dir: &Path) -> RuntimeSource {
        let root = cli_dir.join("..");
        let runtime = root.join("runtime");
        let is_checkout = std::fs::read_to_string(root.join("Cargo.toml"))
            .is_ok_and(|t| t.contains("[workspace]"))
            && std::fs::read_to_string(runtime.join("Cargo.toml"))
                .is_ok_and(|t| t.contains("name = \"mcp-runtime\""));
        match std::fs::canonicalize(&runtime) {
            Ok(p) if is_checkout => RuntimeSource::Path(p),
            _ => RuntimeSource::Version(versions::RUNTIME_VERSION.to_owned()),
        }
    }
}

/// `new`'s options.
#[derive(Debug, Clone)]
pub struct NewProject {
    /// Package name.
    pub name: String,
    /// Folder to create (defaults to `./NAME`).
    pub path: PathBuf,
    /// Serve HTTP by default instead of stdio.
    pub http: bool,
    /// Run `git init` (unless inside a repository).
    pub git: bool,
    /// Where the runtime comes from.
    pub runtime: RuntimeSource,
    /// How the server checks access tokens (implies HTTP by default).
    pub auth: Option<AuthKind>,
}

/// What `new` did.
#[derive(Debug, Default)]
pub struct NewReport {
    /// The project folder.
    pub root: PathBuf,
    /// Warnings (name, git).
    pub warnings: Vec<String>,
    /// The workspace manifest it joined, if any.
    pub joined_workspace: Option<PathBuf>,
    /// Whether `git init` ran.
    pub git_initialized: bool,
}

/// Creates the project.
pub fn new_project(opts: &NewProject) -> Result<NewReport> {
    let check = check_package_name(&opts.name).map_err(Error::Invalid)?;
    let mut report = NewReport {
        warnings: check.warnings,
        ..Default::default()
    };
    let target = absolute(&opts.path)?;
    if target.exists() {
        return Err(Error::Invalid(format!(
            "destination `{}` already exists\nUse `cargo mcp add-tool` inside it to grow an existing project, or choose another --path.",
            target.display()
        )));
    }
    let parent = target
        .parent()
        .ok_or_else(|| Error::Invalid(format!("`{}` has no parent folder", target.display())))?;
    std::fs::create_dir_all(parent).map_err(io(parent))?;

    let workspace = find_workspace(parent)?;
    let runtime_dep = match &opts.runtime {
        RuntimeSource::Version(v) => format!("mcp-runtime = {:?}", v),
        RuntimeSource::Path(p) => {
            let shown = match &workspace {
                Some((ws, _)) => {
                    relative(&target, p, ws.parent().unwrap_or(ws)).unwrap_or_else(|| p.clone())
                }
                None => p.clone(),
            };
            format!(
                "mcp-runtime = {{ path = {:?} }}",
                shown.to_string_lossy().replace('\\', "/")
            )
        }
    };
    let mut dependencies = vec![runtime_dep];
    dependencies.extend(versions::BASE.iter().map(dependency_line));
    let manifest_text = render(
        "project_Cargo.toml",
        &ProjectManifest {
            name: &opts.name,
            dependencies,
        },
    )?;
    let runtime_note = match &opts.runtime {
        RuntimeSource::Path(p) => format!(
            "This project depends on `mcp-runtime` by path, at `{}`: the checkout `cargo mcp` was installed from. Keep that checkout, or switch Cargo.toml to a published version (`mcp-runtime = \"{}\"`).",
            p.display(),
            versions::RUNTIME_VERSION
        ),
        RuntimeSource::Version(v) => format!("This project depends on `mcp-runtime` {v} from crates.io."),
    };

    let staging = tempfile::Builder::new()
        .prefix(".cargo-mcp-new-")
        .tempdir_in(parent)
        .map_err(io(parent))?;
    let manifest_path = staging.path().join("Cargo.toml");
    let mut project = Project::from_text(&manifest_path, manifest_text.clone())?;
    project.original = String::new();
    let hello = Tool {
        name: "hello".into(),
        module: "hello".into(),
        description: Some("Say hello".into()),
        args: vec![Arg {
            name: "name".into(),
            ty: ArgType::String,
            description: Some("Who to greet".into()),
            required: true,
        }],
        ..Default::default()
    };
    metadata::add_tool(&manifest_path, &mut project.doc, &hello)?;
    project.meta.tools.push(hello);
    if let Some(auth) = opts.auth {
        metadata::set_auth(&manifest_path, &mut project.doc, auth)?;
        project.meta.auth = Some(auth);
    }
    // Tokens only exist over HTTP, so a project with auth serves HTTP by default.
    let http = opts.http || opts.auth.is_some();
    let krate = crate_name(&opts.name);
    let (mut files, findings) = plan(&mut project, &Pending::new())?;
    report.warnings.extend(findings.warnings);
    let transport = if http { "Streamable HTTP" } else { "stdio" };
    for (path, contents) in [
        (
            "README.md",
            render(
                "project_README.md",
                &ProjectReadme {
                    name: &opts.name,
                    transport,
                    runtime_note,
                    auth: opts.auth.map(AuthKind::as_str),
                    http,
                },
            )?,
        ),
        (
            "src/main.rs",
            render(
                "main.rs",
                &MainRs {
                    crate_name: &krate,
                    http,
                },
            )?,
        ),
        ("src/lib.rs", render("lib.rs", &LibRs { name: &opts.name })?),
    ] {
        files.push(PlannedFile {
            path: path.into(),
            contents,
            owner: Owner::User,
        });
    }
    let inside_repo = inside_git_repo(parent);
    let git = opts.git && !inside_repo;
    if git {
        files.push(PlannedFile {
            path: ".gitignore".into(),
            contents: render("project_gitignore", &GitIgnore)?,
            owner: Owner::User,
        });
    }
    apply(staging.path(), &files, false)?;

    // Everything is staged: edit the workspace (if any) in memory, then move into place.
    let workspace_edit = match &workspace {
        Some((ws_manifest, doc)) => join_workspace(ws_manifest, doc.clone(), &target)?,
        None => None,
    };
    let staged = staging.keep();
    if let Err(e) = std::fs::rename(&staged, &target) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(io(&target)(e));
    }
    report.root = target.clone();
    if let (Some((ws_manifest, _)), Some(text)) = (&workspace, workspace_edit) {
        std::fs::write(ws_manifest, text).map_err(io(ws_manifest))?;
        report.joined_workspace = Some(ws_manifest.clone());
    }
    if git {
        match std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(&target)
            .status()
        {
            Ok(s) if s.success() => report.git_initialized = true,
            Ok(s) => report.warnings.push(format!(
                "`git init` failed ({s}); the project is complete without it"
            )),
            Err(e) => report.warnings.push(format!(
                "could not run `git init` ({e}); the project is complete without it"
            )),
        }
    }
    Ok(report)
}

fn dependency_line(d: &versions::Dependency) -> String {
    if d.features.is_empty() {
        format!("{} = {:?}", d.name, d.version)
    } else {
        let features: Vec<String> = d.features.iter().map(|f| format!("{f:?}")).collect();
        format!(
            "{} = {{ version = {:?}, features = [{}] }}",
            d.name,
            d.version,
            features.join(", ")
        )
    }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    let cwd = std::env::current_dir().map_err(io("."))?;
    Ok(cwd.join(path))
}

fn inside_git_repo(start: &Path) -> bool {
    start.ancestors().any(|d| d.join(".git").exists())
}

/// The nearest enclosing Cargo.toml with a `[workspace]` table, parsed.
fn find_workspace(start: &Path) -> Result<Option<(PathBuf, toml_edit::DocumentMut)>> {
    for dir in start.ancestors() {
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&manifest).map_err(io(&manifest))?;
        let doc = metadata::parse_manifest(&manifest, &text)?;
        if doc.get("workspace").is_some() {
            return Ok(Some((manifest, doc)));
        }
    }
    Ok(None)
}

/// Adds the project to the workspace's `members`, unless a member glob covers
/// it or `exclude` lists it. Returns the new manifest text, if it changed.
fn join_workspace(
    manifest: &Path,
    mut doc: toml_edit::DocumentMut,
    project: &Path,
) -> Result<Option<String>> {
    let root = manifest.parent().unwrap_or(Path::new("."));
    let Ok(rel) = project.strip_prefix(root) else {
        return Ok(None);
    };
    let rel = rel.to_string_lossy().replace('\\', "/");
    let bad = |m: &str| Error::Manifest {
        path: manifest.to_path_buf(),
        message: m.to_string(),
    };
    let ws = doc
        .get_mut("workspace")
        .and_then(|w| w.as_table_like_mut())
        .ok_or_else(|| bad("`workspace` must be a table"))?;
    let listed = |key: &str, ws: &dyn toml_edit::TableLike| -> Vec<String> {
        ws.get(key)
            .and_then(|m| m.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let covers = |pattern: &String| {
        pattern == &rel
            || pattern
                .strip_suffix("/*")
                .is_some_and(|dir| rel.rsplit_once('/').map(|(d, _)| d) == Some(dir))
    };
    if listed("exclude", ws).iter().any(covers) || listed("members", ws).iter().any(covers) {
        return Ok(None);
    }
    let members = ws
        .entry("members")
        .or_insert(toml_edit::value(toml_edit::Array::new()));
    let array = members
        .as_array_mut()
        .ok_or_else(|| bad("`workspace.members` must be an array"))?;
    array.push(rel);
    Ok(Some(doc.to_string()))
}

/// `to` relative to `from`, when both lie under `common`.
fn relative(from: &Path, to: &Path, common: &Path) -> Option<PathBuf> {
    let from_rel = from.strip_prefix(common).ok()?;
    let to_rel = to.strip_prefix(common).ok()?;
    let mut out = PathBuf::new();
    for _ in from_rel.components() {
        out.push("..");
    }
    out.push(to_rel);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `text` at `path`, creating its folders.
    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_checkout_gives_its_runtime_by_path() {
        let dir = tempfile::tempdir().unwrap();
        write(
            &dir.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"runtime\", \"cli\"]\n",
        );
        write(
            &dir.path().join("runtime/Cargo.toml"),
            "[package]\nname = \"mcp-runtime\"\n",
        );
        write(
            &dir.path().join("cli/Cargo.toml"),
            "[package]\nname = \"cargo-mcp-cli\"\n",
        );
        let runtime = std::fs::canonicalize(dir.path().join("runtime")).unwrap();
        assert_eq!(
            RuntimeSource::choose(&dir.path().join("cli")),
            RuntimeSource::Path(runtime)
        );
    }

    #[test]
    fn an_installed_package_gives_the_published_version() {
        // As `cargo install` unpacks packages: side by side, no workspace, no runtime/.
        let dir = tempfile::tempdir().unwrap();
        let cli = dir.path().join("cargo-mcp-cli-0.1.0");
        write(
            &cli.join("Cargo.toml"),
            "[package]\nname = \"cargo-mcp-cli\"\n",
        );
        write(
            &dir.path().join("mcp-runtime-0.1.0/Cargo.toml"),
            "[package]\nname = \"mcp-runtime\"\n",
        );
        assert_eq!(
            RuntimeSource::choose(&cli),
            RuntimeSource::Version(versions::RUNTIME_VERSION.to_owned())
        );
    }

    #[test]
    fn a_runtime_folder_outside_a_workspace_is_not_a_checkout() {
        let dir = tempfile::tempdir().unwrap();
        write(
            &dir.path().join("runtime/Cargo.toml"),
            "[package]\nname = \"mcp-runtime\"\n",
        );
        assert_eq!(
            RuntimeSource::choose(&dir.path().join("cli")),
            RuntimeSource::Version(versions::RUNTIME_VERSION.to_owned())
        );
    }

    #[test]
    fn this_checkout_gives_its_runtime_by_path() {
        let runtime = std::fs::canonicalize(concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime"));
        assert_eq!(
            RuntimeSource::default_for_cli(),
            RuntimeSource::Path(runtime.unwrap())
        );
    }

    #[test]
    fn the_published_requirement_accepts_the_version_this_cli_is_built_with() {
        // Both crates take the workspace's version.
        let version = env!("CARGO_PKG_VERSION");
        assert!(
            version.starts_with(&format!("{}.", versions::RUNTIME_VERSION)),
            "RUNTIME_VERSION {} does not accept {version}",
            versions::RUNTIME_VERSION
        );
    }
}
