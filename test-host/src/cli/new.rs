//! `new`: create a function crate from a template — the handler, tests that run its `.wasm` in the test
//! host, a README with the commands, the size-optimized release profile and the dev-profile settings that
//! keep the edit → test loop short. The SDK dependencies point at this checkout, or at a git URL.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{EXIT_USAGE, style};

/// Create a function crate.
#[derive(Debug, Args)]
pub(crate) struct NewCommand {
    /// Directory to create (it may exist if it is empty). Its name is the package name unless --name.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// What the function does.
    #[arg(long, short = 't', value_enum, default_value_t = Template::Web)]
    template: Template,
    /// Package name [default: the directory's name].
    #[arg(long)]
    name: Option<String>,
    /// Take the SDK from this git repository instead of this checkout.
    #[arg(long, value_name = "URL", conflicts_with = "sdk_path")]
    git: Option<String>,
    /// With --git: a branch.
    #[arg(long, requires = "git", conflicts_with = "rev")]
    branch: Option<String>,
    /// With --git: a commit, or any other git revision.
    #[arg(long, requires = "git")]
    rev: Option<String>,
    /// Take the SDK from this checkout of momento-functions [default: the one this program was built
    /// from].
    #[arg(long, value_name = "DIR")]
    sdk_path: Option<PathBuf>,
}

/// The kinds of function `new` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Template {
    /// GET greets by name (query parameters, logging), POST echoes the body; other methods 405.
    Web,
    /// Typed JSON in and out, with the SDK's 400 for a body that does not fit.
    Json,
    /// A key-value API on the function's cache: PUT, GET, DELETE, with a TTL.
    Cache,
    /// Server-sent events: `GET /?count=3` streams `tick` events, then `done`.
    Sse,
    /// A spawn function (`spawn!`): counts the words of a JSON job into the cache, in the background.
    Spawn,
}

impl Template {
    /// The files of the template: (path in the crate, text with `{{…}}` placeholders).
    fn files(self) -> Vec<(&'static str, &'static str)> {
        let (lib, tests) = match self {
            Template::Web => (
                include_str!("../../templates/web/lib.rs"),
                include_str!("../../templates/web/tests.rs"),
            ),
            Template::Json => (
                include_str!("../../templates/json/lib.rs"),
                include_str!("../../templates/json/tests.rs"),
            ),
            Template::Cache => (
                include_str!("../../templates/cache/lib.rs"),
                include_str!("../../templates/cache/tests.rs"),
            ),
            Template::Sse => (
                include_str!("../../templates/sse/lib.rs"),
                include_str!("../../templates/sse/tests.rs"),
            ),
            Template::Spawn => (
                include_str!("../../templates/spawn/lib.rs"),
                include_str!("../../templates/spawn/tests.rs"),
            ),
        };
        vec![
            (
                "Cargo.toml",
                include_str!("../../templates/Cargo.toml.tmpl"),
            ),
            ("README.md", include_str!("../../templates/README.md.tmpl")),
            (".gitignore", include_str!("../../templates/gitignore")),
            ("src/lib.rs", lib),
            ("tests/function.rs", tests),
        ]
    }

    /// One sentence for the README.
    fn summary(self) -> &'static str {
        match self {
            Template::Web => {
                "`GET /?name=Ada` greets by name, `POST /` echoes the request body, other methods are \
                 answered 405."
            }
            Template::Json => {
                "typed JSON in and out; `POST /` with `{\"name\": \"Ada\"}` answers \
                 `{\"message\": \"Hello, Ada!\"}`."
            }
            Template::Cache => {
                "a key-value API on the function's cache: `PUT /?key=k` stores the body, `GET /?key=k` \
                 reads it, `DELETE /?key=k` removes it."
            }
            Template::Sse => {
                "server-sent events; `GET /?count=3` streams three `tick` events, then a `done` event, \
                 each reaching the client as it is sent."
            }
            Template::Spawn => {
                "a spawn function, run in the background after a web function spawns it by name; given \
                 `{\"key\": \"doc\", \"text\": \"...\"}` it stores the text's word count as `words:doc` in \
                 the cache."
            }
        }
    }

    /// Arguments of the README's `invoke` example.
    fn invoke_args(self) -> &'static str {
        match self {
            Template::Web => "-X GET --path '/?name=Ada'",
            Template::Json => "--data '{\"name\":\"Ada\"}'",
            Template::Cache => "-X PUT --path '/?key=color' --data blue",
            Template::Sse => "-X GET --path '/?count=3'",
            Template::Spawn => "--data '{\"key\":\"doc\",\"text\":\"one two three\"}'",
        }
    }
}

/// Where the scaffolded crate takes the SDK from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A checkout of this repository (absolute path).
    Path(PathBuf),
    /// A git repository, optionally at a branch or revision.
    Git {
        url: String,
        branch: Option<String>,
        rev: Option<String>,
    },
}

impl Source {
    /// The dependency line of `package` (a folder of the repository), with `extra` keys.
    fn dependency(&self, package: &str, folder: &str, extra: &str) -> String {
        let location = match self {
            Source::Path(root) => format!(
                "path = {}",
                toml_string(&root.join(folder).to_string_lossy())
            ),
            Source::Git { url, branch, rev } => {
                let mut location = format!("git = {}", toml_string(url));
                if let Some(branch) = branch {
                    location.push_str(&format!(", branch = {}", toml_string(branch)));
                }
                if let Some(rev) = rev {
                    location.push_str(&format!(", rev = {}", toml_string(rev)));
                }
                location
            }
        };
        format!("{package} = {{ {location}{extra} }}")
    }

    /// Where the README links to the SDK.
    fn link(&self) -> String {
        match self {
            Source::Path(root) => root.display().to_string(),
            Source::Git { url, .. } => url.clone(),
        }
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Why `new` could not create the crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NewError {
    /// The package name is not one cargo accepts, or one the crate cannot have.
    InvalidName { name: String, reason: String },
    /// The directory exists and is not empty.
    NotEmpty { dir: PathBuf },
    /// No checkout of the SDK was found, and no --git URL given.
    NoCheckout { looked_at: PathBuf },
    /// Writing a file failed.
    Io { path: PathBuf, message: String },
}

impl fmt::Display for NewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewError::InvalidName { name, reason } => {
                write!(
                    f,
                    "`{name}` cannot be the package name: {reason}; choose one with --name"
                )
            }
            NewError::NotEmpty { dir } => write!(
                f,
                "{} exists and is not empty; choose a new directory",
                dir.display()
            ),
            NewError::NoCheckout { looked_at } => write!(
                f,
                "no momento-functions checkout at {} (this program was built from there); pass \
                 --sdk-path DIR for a checkout, or --git URL",
                looked_at.display()
            ),
            NewError::Io { path, message } => {
                write!(f, "cannot write {}: {message}", path.display())
            }
        }
    }
}

/// Is `name` a package name a function crate can have? `None` when it is, else why not.
fn name_problem(name: &str) -> Option<String> {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
        "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box",
        "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    // Names the crate's own dependencies (or the standard library) have: cargo or rustc would refuse them.
    const TAKEN: &[&str] = &[
        "std",
        "core",
        "alloc",
        "proc_macro",
        "test",
        "serde",
        "serde_json",
        "log",
        "momento_functions",
        "momento_functions_test_host",
    ];
    let Some(first) = name.chars().next() else {
        return Some("it is empty".to_owned());
    };
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Some(format!(
            "`{bad}` is not allowed (letters, digits, `-` and `_` only)"
        ));
    }
    if first.is_ascii_digit() {
        return Some("it starts with a digit".to_owned());
    }
    let ident = name.replace('-', "_");
    if KEYWORDS.contains(&ident.as_str()) {
        return Some("it is a Rust keyword".to_owned());
    }
    if TAKEN.contains(&ident.as_str()) || ident.starts_with("momento_functions") {
        return Some("a crate the function depends on has that name".to_owned());
    }
    None
}

/// The checkout this program was built from, if it still holds the SDK.
pub(crate) fn own_checkout() -> Result<PathBuf, NewError> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().unwrap_or(manifest_dir);
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if is_checkout(&root) {
        Ok(root)
    } else {
        Err(NewError::NoCheckout { looked_at: root })
    }
}

/// Does `root` hold the SDK and the test host?
fn is_checkout(root: &Path) -> bool {
    root.join("momento-functions/Cargo.toml").is_file()
        && root.join("test-host/Cargo.toml").is_file()
}

/// What to create.
#[derive(Debug, Clone)]
pub(crate) struct Scaffold {
    pub(crate) dir: PathBuf,
    pub(crate) name: String,
    pub(crate) template: Template,
    pub(crate) source: Source,
    /// The command line's name, for the README (`mfn`).
    pub(crate) bin: String,
}

impl Scaffold {
    /// The files to write: (path relative to the crate, contents).
    pub(crate) fn render(&self) -> Result<Vec<(&'static str, String)>, NewError> {
        if let Some(reason) = name_problem(&self.name) {
            return Err(NewError::InvalidName {
                name: self.name.clone(),
                reason,
            });
        }
        let install = match &self.source {
            Source::Path(root) => format!(
                "`cargo install --path {}` installs it (as `mfn` and `momento-functions-test-host`).",
                root.join("test-host").display()
            ),
            Source::Git { url, .. } => format!(
                "`cargo install --git {url} momento-functions-test-host` installs it (as `mfn` and \
                 `momento-functions-test-host`)."
            ),
        };
        let values = [
            ("name", self.name.clone()),
            ("lib_name", self.name.replace('-', "_")),
            (
                "momento_functions",
                self.source
                    .dependency("momento-functions", "momento-functions", ""),
            ),
            (
                "test_host",
                self.source.dependency(
                    "momento-functions-test-host",
                    "test-host",
                    ", default-features = false",
                ),
            ),
            ("sdk_link", self.source.link()),
            ("summary", self.template.summary().to_owned()),
            ("invoke_args", self.template.invoke_args().to_owned()),
            ("bin", self.bin.clone()),
            ("install", install),
        ];
        self.template
            .files()
            .into_iter()
            .map(|(path, text)| Ok((path, fill(text, &values))))
            .collect()
    }

    /// Write the crate; the paths written, relative to it.
    pub(crate) fn write(&self) -> Result<Vec<&'static str>, NewError> {
        let files = self.render()?;
        let io = |path: &Path, e: std::io::Error| NewError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        if self.dir.exists() {
            let mut entries = std::fs::read_dir(&self.dir).map_err(|e| io(&self.dir, e))?;
            if entries.next().is_some() {
                return Err(NewError::NotEmpty {
                    dir: self.dir.clone(),
                });
            }
        }
        for (path, text) in &files {
            let target = self.dir.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            }
            std::fs::write(&target, text).map_err(|e| io(&target, e))?;
        }
        Ok(files.into_iter().map(|(path, _)| path).collect())
    }
}

/// `text` with each `{{key}}` replaced by its value.
fn fill(text: &str, values: &[(&str, String)]) -> String {
    let mut out = text.to_owned();
    for (key, value) in values {
        out = out.replace(&format!("{{{{{key}}}}}"), value);
    }
    out
}

impl NewCommand {
    pub(crate) fn run(self, bin: &'static str) -> ExitCode {
        match self.scaffold(bin).and_then(|scaffold| {
            let written = scaffold.write()?;
            Ok((scaffold, written))
        }) {
            Ok((scaffold, written)) => {
                let on = style::enabled(true);
                eprintln!(
                    "{} the {} function `{}` in {}: {}",
                    style::paint("created", style::Color::Green, on),
                    scaffold
                        .template
                        .to_possible_value()
                        .map(|value| value.get_name().to_owned())
                        .unwrap_or_default(),
                    scaffold.name,
                    scaffold.dir.display(),
                    written.join(", ")
                );
                eprintln!(
                    "next: cd {} && cargo test    (the first run compiles the local host: a few minutes)",
                    scaffold.dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                super::error(&error);
                ExitCode::from(EXIT_USAGE)
            }
        }
    }

    fn scaffold(&self, bin: &'static str) -> Result<Scaffold, NewError> {
        let name = match &self.name {
            Some(name) => name.clone(),
            None => {
                let absolute = std::path::absolute(&self.dir).unwrap_or_else(|_| self.dir.clone());
                absolute
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            }
        };
        let source = match (&self.git, &self.sdk_path) {
            (Some(url), _) => Source::Git {
                url: url.clone(),
                branch: self.branch.clone(),
                rev: self.rev.clone(),
            },
            (None, Some(path)) => {
                let root = path.canonicalize().unwrap_or_else(|_| path.clone());
                if !is_checkout(&root) {
                    return Err(NewError::NoCheckout { looked_at: root });
                }
                Source::Path(root)
            }
            (None, None) => Source::Path(own_checkout()?),
        };
        Ok(Scaffold {
            dir: self.dir.clone(),
            name,
            template: self.template,
            source,
            bin: bin.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scaffold(template: Template, name: &str) -> Scaffold {
        Scaffold {
            dir: PathBuf::from("/nonexistent"),
            name: name.to_owned(),
            template,
            source: Source::Path(PathBuf::from("/checkout")),
            bin: "mfn".to_owned(),
        }
    }

    #[test]
    fn every_available_template_fills_every_placeholder() {
        for template in [Template::Web, Template::Json, Template::Cache] {
            let files = scaffold(template, "hello-fn").render().unwrap();
            let paths: Vec<&str> = files.iter().map(|(path, _)| *path).collect();
            assert_eq!(
                paths,
                [
                    "Cargo.toml",
                    "README.md",
                    ".gitignore",
                    "src/lib.rs",
                    "tests/function.rs"
                ]
            );
            for (path, text) in &files {
                assert!(!text.contains("{{"), "{template:?} {path}: {text}");
            }
            let manifest = &files[0].1;
            assert!(manifest.contains("name = \"hello-fn\""), "{manifest}");
            assert!(
                manifest.contains("momento-functions = { path = \"/checkout/momento-functions\" }"),
                "{manifest}"
            );
            assert!(
                manifest.contains(
                    "momento-functions-test-host = { path = \"/checkout/test-host\", default-features = false }"
                ),
                "{manifest}"
            );
            assert!(manifest.contains("[profile.release-small]"), "{manifest}");
            assert!(
                manifest.contains("[profile.dev.package.cranelift-codegen]"),
                "{manifest}"
            );
            assert!(manifest.contains("crate-type = [\"cdylib\"]"), "{manifest}");
            let readme = &files[1].1;
            assert!(readme.contains("mfn invoke ."), "{readme}");
            assert!(readme.contains("release-small/hello_fn.wasm"), "{readme}");
            // The manifest is TOML that cargo can read.
            let parsed: toml::Table = toml::from_str(manifest).unwrap();
            assert!(parsed.contains_key("workspace"));
        }
    }

    #[test]
    fn git_sources_pin_what_was_asked() {
        let mut s = scaffold(Template::Json, "greeter");
        s.source = Source::Git {
            url: "https://example.com/momento-functions".into(),
            branch: None,
            rev: Some("abc123".into()),
        };
        let manifest = &s.render().unwrap()[0].1;
        assert!(
            manifest.contains(
                "momento-functions = { git = \"https://example.com/momento-functions\", rev = \"abc123\" }"
            ),
            "{manifest}"
        );
        assert!(
            manifest.contains(
                "momento-functions-test-host = { git = \"https://example.com/momento-functions\", rev = \"abc123\", default-features = false }"
            ),
            "{manifest}"
        );
    }

    #[test]
    fn bad_names_are_refused_with_the_reason() {
        for (name, reason) in [
            ("", "empty"),
            ("9lives", "digit"),
            ("my fn", "not allowed"),
            ("fn", "keyword"),
            ("serde", "depends on"),
            ("momento-functions-x", "depends on"),
        ] {
            let error = scaffold(Template::Web, name).render().unwrap_err();
            assert!(error.to_string().contains(reason), "{name}: {error}");
        }
        assert!(name_problem("my-function_2").is_none());
    }

    #[test]
    fn writes_into_an_empty_directory_only() {
        let dir = std::env::temp_dir().join(format!("mfn-new-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut s = scaffold(Template::Cache, "kv");
        s.dir = dir.clone();
        let written = s.write().unwrap();
        assert!(written.contains(&"tests/function.rs"));
        assert!(dir.join("src/lib.rs").is_file());
        assert!(matches!(s.write(), Err(NewError::NotEmpty { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn this_checkout_is_found() {
        let root = own_checkout().unwrap();
        assert!(root.join("test-host/templates").is_dir());
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_string(r#"C:\a "b""#), r#""C:\\a \"b\"""#);
    }
}
