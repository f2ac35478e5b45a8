//! `generate`, and the step every operation ends with: plan every file,
//! write the plan with the files being added, and report.

use crate::generate::error::Result;
use crate::generate::files::{apply, remove_stale, Applied, Owner, PlannedFile};
use crate::generate::model::{Findings, Pending};
use crate::generate::plan::plan;
use crate::generate::project::Project;

/// What an operation did and found.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written, unchanged, kept.
    pub applied: Applied,
    /// Warnings and typing counts.
    pub findings: Findings,
    /// Names that were adjusted, and why.
    pub notes: Vec<String>,
}

/// `generate`: rewrites every generator-owned file; keeps hand-edited ones unless `force`.
pub fn generate(project: &mut Project, force: bool) -> Result<Report> {
    finish(project, Pending::new(), Vec::new(), force, true)
}

/// Plans, writes the pending copies with the plan, and reports every warning
/// (what [`super::import_openapi`] ends with).
pub(super) fn finish_with(
    project: &mut Project,
    pending: Pending,
    notes: Vec<String>,
) -> Result<Report> {
    finish(project, pending, notes, false, true)
}

/// Plans, writes `pending` with the plan, and reports: what every operation ends with.
pub(super) fn finish(
    project: &mut Project,
    pending: Pending,
    notes: Vec<String>,
    force: bool,
    all_warnings: bool,
) -> Result<Report> {
    let (mut files, mut findings) = plan(project, &pending)?;
    if !all_warnings {
        // Adding an item: warn about the files being added, not every earlier fallback again.
        findings
            .warnings
            .retain(|w| pending.keys().any(|p| w.starts_with(p.as_str())));
    }
    for (path, contents) in pending {
        files.push(PlannedFile {
            path,
            contents,
            owner: Owner::Replace,
        });
    }
    let mut applied = apply(&project.root, &files, force)?;
    remove_stale(&project.root, &files, force, &mut applied)?;
    project.original = project.doc.to_string();
    Ok(Report {
        applied,
        findings,
        notes,
    })
}
