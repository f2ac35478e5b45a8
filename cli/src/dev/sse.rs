//! Decoding a `text/event-stream` body as it arrives: the data of each event,
//! whatever way the bytes are split into chunks.

/// Turns chunks of an SSE stream into the `data` of each complete event.
#[derive(Debug, Default)]
pub struct Decoder {
    pending: Vec<u8>,
    data: Option<String>,
}

impl Decoder {
    /// Takes one chunk; returns the data of the events it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(chunk);
        let mut done = Vec::new();
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if let Some(data) = self.data.take() {
                    done.push(data);
                }
            } else if let Some(value) = field(line, "data") {
                match &mut self.data {
                    Some(data) => {
                        data.push('\n');
                        data.push_str(value);
                    }
                    None => self.data = Some(value.to_string()),
                }
            }
            // `event:`, `id:`, `retry:` and `:` comments carry nothing we use.
        }
        done
    }
}

/// The value of `name: value` (one optional space after the colon).
fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(name)?.strip_prefix(':')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let stream = b": keep-alive\n\nid: 1\nevent: message\ndata: {\"a\":\r\ndata:1}\r\n\r\ndata: \xc3\xa9\n\n";
        for split in 0..stream.len() {
            let mut decoder = Decoder::default();
            let mut events = decoder.feed(&stream[..split]);
            events.extend(decoder.feed(&stream[split..]));
            assert_eq!(events, ["{\"a\":\n1}", "é"], "split at {split}");
        }
    }
}
