//! Just enough XML for S3's answers (`ListBucketResult`, `Error`): elements, attributes (skipped), text,
//! character references and the five predefined entities, CDATA, comments, the prolog.

/// An element: its local name (without a namespace prefix), child elements and text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) children: Vec<Element>,
    pub(crate) text: String,
}

impl Element {
    /// The first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub(crate) fn children_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub(crate) fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

/// Parse a document into its root element.
pub(crate) fn parse(text: &str) -> Result<Element, String> {
    let mut parser = Parser { text, at: 0 };
    parser.skip_misc()?;
    let root = parser.element()?;
    parser.skip_misc()?;
    if parser.at < text.len() {
        return Err(format!(
            "unexpected content after the root element at byte {}",
            parser.at
        ));
    }
    Ok(root)
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn error<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at byte {}", self.at))
    }

    /// Skip to just after `end`.
    fn skip_past(&mut self, end: &str) -> Result<(), String> {
        match self.rest().find(end) {
            Some(i) => {
                self.at += i + end.len();
                Ok(())
            }
            None => self.error(&format!("missing `{end}`")),
        }
    }

    /// Skip whitespace, the prolog, comments, processing instructions and a doctype.
    fn skip_misc(&mut self) -> Result<(), String> {
        loop {
            let trimmed = self.rest().trim_start();
            self.at = self.text.len() - trimmed.len();
            if trimmed.starts_with("<?") {
                self.skip_past("?>")?;
            } else if trimmed.starts_with("<!--") {
                self.skip_past("-->")?;
            } else if trimmed.starts_with("<!DOCTYPE") {
                self.skip_past(">")?;
            } else {
                return Ok(());
            }
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let rest = self.rest();
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        if end == 0 {
            return self.error("expected a name");
        }
        let name = &rest[..end];
        self.at += end;
        let local = name.rsplit(':').next().unwrap_or(name);
        Ok(local.to_owned())
    }

    /// An element starting at `<`.
    fn element(&mut self) -> Result<Element, String> {
        if !self.rest().starts_with('<') {
            return self.error("expected `<`");
        }
        self.at += 1;
        let name = self.name()?;
        // Attributes: skipped, minding quoted values.
        loop {
            let rest = self.rest();
            let Some(c) = rest.chars().next() else {
                return self.error("unterminated start tag");
            };
            match c {
                '>' => {
                    self.at += 1;
                    break;
                }
                '/' if rest.starts_with("/>") => {
                    self.at += 2;
                    return Ok(Element {
                        name,
                        ..Element::default()
                    });
                }
                '"' | '\'' => {
                    self.at += 1;
                    self.skip_past(if c == '"' { "\"" } else { "'" })?;
                }
                _ => self.at += c.len_utf8(),
            }
        }
        let mut element = Element {
            name,
            ..Element::default()
        };
        loop {
            let rest = self.rest();
            if rest.starts_with("</") {
                self.at += 2;
                let end = self.name()?;
                if end != element.name {
                    return self.error(&format!("`</{end}>` closes `<{}>`", element.name));
                }
                self.skip_past(">")?;
                return Ok(element);
            } else if rest.starts_with("<![CDATA[") {
                self.at += "<![CDATA[".len();
                let end = self
                    .rest()
                    .find("]]>")
                    .ok_or_else(|| format!("unterminated CDATA at byte {}", self.at))?;
                element.text.push_str(&self.rest()[..end]);
                self.at += end + 3;
            } else if rest.starts_with("<!--") {
                self.skip_past("-->")?;
            } else if rest.starts_with("<?") {
                self.skip_past("?>")?;
            } else if rest.starts_with('<') {
                let child = self.element()?;
                element.children.push(child);
            } else if rest.is_empty() {
                return self.error(&format!("`<{}>` is not closed", element.name));
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                element.text.push_str(&unescape(&rest[..end])?);
                self.at += end;
            }
        }
    }
}

/// Replace character references and the predefined entities.
fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        let end = rest
            .find(';')
            .ok_or_else(|| format!("unterminated reference `&{}`", &rest[..rest.len().min(10)]))?;
        let entity = &rest[..end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code =
                    if let Some(hex) = entity.strip_prefix("#x").or(entity.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok()
                    } else if let Some(decimal) = entity.strip_prefix('#') {
                        decimal.parse().ok()
                    } else {
                        None
                    };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("unknown reference `&{entity};`"))?
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_listing() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>files</Name><Prefix>a&amp;b/</Prefix>
  <!-- a comment -->
  <Contents><Key>a&amp;b/x&#x20;y&#46;txt</Key><ETag>&quot;abc&quot;</ETag><Size>3</Size></Contents>
  <Contents><Key><![CDATA[a&b/<z>]]></Key><Size>0</Size><Owner/></Contents>
  <IsTruncated>false</IsTruncated>
</ListBucketResult>"#;
        let root = parse(doc).expect("valid");
        assert_eq!(root.name, "ListBucketResult");
        assert_eq!(root.child_text("Prefix"), Some("a&b/"));
        let contents: Vec<_> = root.children_named("Contents").collect();
        assert_eq!(contents.len(), 2);
        assert_eq!(contents[0].child_text("Key"), Some("a&b/x y.txt"));
        assert_eq!(contents[0].child_text("ETag"), Some("\"abc\""));
        assert_eq!(contents[1].child_text("Key"), Some("a&b/<z>"));
        assert_eq!(contents[1].child_text("Owner"), Some(""));
    }

    #[test]
    fn namespaces_prefixes_and_attributes_are_skipped() {
        let root = parse(r#"<s:Error a="1>2" b='x'><s:Code>NoSuchBucket</s:Code></s:Error>"#)
            .expect("valid");
        assert_eq!(root.name, "Error");
        assert_eq!(root.child_text("Code"), Some("NoSuchBucket"));
    }

    #[test]
    fn malformed_documents_are_errors() {
        for bad in [
            "",
            "<a>",
            "<a></b>",
            "<a>&bogus;</a>",
            "<a>&amp</a>",
            "<a/>trailing",
            "text",
            "<a><![CDATA[x</a>",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }
}
