//! How `inspect` shows answers as text: tables of tools, resources and
//! prompts, tool results, resource contents and prompt messages.

use serde_json::Value;

/// Pretty JSON.
pub(super) fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values serialize")
    );
}

/// One line per item: its `key`, then its description (or name/title).
pub(super) fn print_table(items: &[Value], key: &str) {
    let width = items
        .iter()
        .filter_map(|i| i[key].as_str())
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0);
    for item in items {
        let first = item[key].as_str().unwrap_or("?");
        let rest = item["description"]
            .as_str()
            .or_else(|| item["title"].as_str())
            .or_else(|| (key != "name").then(|| item["name"].as_str()).flatten())
            .unwrap_or_default();
        let line = format!(
            "{first:<width$}  {}",
            rest.lines().next().unwrap_or_default()
        );
        println!("{}", line.trim_end());
    }
}

/// Text blocks as they are, structured content pretty-printed (once: a text
/// block that only repeats it is skipped), other blocks summarised.
pub(super) fn print_tool_result(result: &Value) {
    let structured = result.get("structuredContent");
    for block in result["content"].as_array().into_iter().flatten() {
        if let (Some(s), Some(text)) = (structured, block["text"].as_str()) {
            if serde_json::from_str::<Value>(text).ok().as_ref() == Some(s) {
                continue;
            }
        }
        print_content(block);
    }
    if let Some(s) = structured {
        print_json(s);
    }
}

/// One content block: text as is, media and links summarised.
pub(super) fn print_content(block: &Value) {
    let mime = block["mimeType"].as_str().unwrap_or("?");
    match block["type"].as_str() {
        Some("text") => println!("{}", block["text"].as_str().unwrap_or_default()),
        Some("image") | Some("audio") => println!(
            "[{} {mime}, {} bytes of base64]",
            block["type"].as_str().unwrap_or_default(),
            block["data"].as_str().map(str::len).unwrap_or(0)
        ),
        Some("resource_link") => println!(
            "[resource link {}{}]",
            block["uri"].as_str().unwrap_or("?"),
            block["name"]
                .as_str()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        ),
        Some("resource") => print_resource_contents(&block["resource"]),
        _ => print_json(block),
    }
}

/// A resource's contents: text as is, a blob summarised.
pub(super) fn print_resource_contents(contents: &Value) {
    if let Some(text) = contents["text"].as_str() {
        println!("{text}");
    } else if let Some(blob) = contents["blob"].as_str() {
        println!(
            "[{} {}, {} bytes of base64]",
            contents["uri"].as_str().unwrap_or("?"),
            contents["mimeType"].as_str().unwrap_or("?"),
            blob.len()
        );
    } else {
        print_json(contents);
    }
}
