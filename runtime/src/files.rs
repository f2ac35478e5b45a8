//! Safe file access for resources: a [`FileRoot`] resolves relative paths
//! inside an allowed folder and refuses anything that would leave it (`..`,
//! absolute paths, symlinks pointing outside).

use std::io;
use std::path::{Component, Path, PathBuf};

/// A folder that file resources may read from.
///
/// ```
/// use mcp_runtime::files::FileRoot;
/// let dir = std::env::temp_dir();
/// let root = FileRoot::new(&dir).unwrap();
/// assert!(root.resolve("../etc/passwd").is_err());
/// assert!(root.resolve("/etc/passwd").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct FileRoot {
    root: PathBuf,
}

impl FileRoot {
    /// A root at `path`, which must exist.
    pub fn new(path: impl AsRef<Path>) -> io::Result<Self> {
        Ok(FileRoot {
            root: path.as_ref().canonicalize()?,
        })
    }

    /// The root folder.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The real path of `relative` inside the root; an error if it names
    /// something outside (by `..`, an absolute path or a symlink).
    pub fn resolve(&self, relative: &str) -> io::Result<PathBuf> {
        let denied = |why: &str| {
            io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("{relative:?} {why}"),
            )
        };
        let rel = Path::new(relative);
        for c in rel.components() {
            match c {
                Component::Normal(_) | Component::CurDir => {}
                Component::ParentDir => return Err(denied("may not contain '..'")),
                Component::RootDir | Component::Prefix(_) => {
                    return Err(denied("must be relative to the allowed folder"))
                }
            }
        }
        let full = self.root.join(rel).canonicalize()?;
        if !full.starts_with(&self.root) {
            return Err(denied("leads outside the allowed folder"));
        }
        Ok(full)
    }

    /// Reads a file inside the root.
    pub async fn read(&self, relative: &str) -> io::Result<Vec<u8>> {
        let path = self.resolve(relative)?;
        tokio::fs::read(path).await
    }

    /// Reads a UTF-8 text file inside the root.
    pub async fn read_to_string(&self, relative: &str) -> io::Result<String> {
        let path = self.resolve(relative)?;
        tokio::fs::read_to_string(path).await
    }
}

/// A MIME type guessed from a file name's extension.
pub fn mime_for(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "md" | "log" => "text/plain",
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" => "text/javascript",
        "csv" => "text/csv",
        "xml" => "application/xml",
        "yaml" | "yml" => "application/yaml",
        "toml" => "application/toml",
        "rs" | "py" | "ts" | "sh" => "text/plain",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escapes_and_symlinks_out() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "in").unwrap();
        std::fs::write(outside.path().join("secret.txt"), "out").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            dir.path().join("link.txt"),
        )
        .unwrap();
        let root = FileRoot::new(dir.path()).unwrap();
        assert!(root.resolve("a.txt").is_ok());
        assert!(root.resolve("../a.txt").is_err());
        assert!(root.resolve("/etc/passwd").is_err());
        #[cfg(unix)]
        assert_eq!(
            root.resolve("link.txt").unwrap_err().kind(),
            io::ErrorKind::PermissionDenied
        );
        assert!(root.resolve("missing.txt").is_err());
    }
}
