//! `wit/` is Momento's published contract: every package, interface, function, type and world of the WIT
//! that Momento ships in its crates on crates.io (0.27.0; `momento:http@1.0.0` and `momento:aws-s3@1.0.0`
//! as 0.26.0 shipped them) is in `wit/deps/`, with exactly the same names and types, and `wit/` holds no
//! Momento package or interface of its own making. Comments may differ (ours are our own).
//!
//! The published crates are found with `cargo metadata` on the conformance workspaces
//! (`test-guests/published`, `test-guests/published-0-26`), which depend on them at exact versions.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use indexmap::IndexMap;
use wit_parser::{
    Handle, InterfaceId, PackageId, Resolve, Type, TypeDefKind, TypeOwner, WorldItem, WorldKey,
};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The package directory of each crate `cargo metadata` resolves in the workspace at `manifest_dir`.
fn crate_dirs(manifest_dir: &str) -> BTreeMap<(String, String), PathBuf> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(Path::new(manifest_dir).join("Cargo.toml"))
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("metadata JSON");
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter_map(|package| {
            let name = package["name"].as_str()?.to_owned();
            let version = package["version"].as_str()?.to_owned();
            let manifest = PathBuf::from(package["manifest_path"].as_str()?);
            Some(((name, version), manifest.parent()?.to_path_buf()))
        })
        .collect()
}

fn ty(resolve: &Resolve, ty: &Type) -> String {
    match ty {
        Type::Id(id) => {
            let def = &resolve.types[*id];
            match (&def.name, def.owner) {
                (Some(name), TypeOwner::Interface(owner)) => {
                    format!("{}.{name}", resolve.id_of(owner).unwrap_or_default())
                }
                (Some(name), _) => name.clone(),
                (None, _) => kind(resolve, &def.kind),
            }
        }
        other => format!("{other:?}").to_lowercase(),
    }
}

fn optional(resolve: &Resolve, t: Option<&Type>) -> String {
    t.map_or_else(|| "_".to_owned(), |t| ty(resolve, t))
}

fn kind(resolve: &Resolve, kind: &TypeDefKind) -> String {
    let join = |items: Vec<String>| items.join(", ");
    match kind {
        TypeDefKind::Record(r) => format!(
            "record {{ {} }}",
            join(
                r.fields
                    .iter()
                    .map(|f| format!("{}: {}", f.name, ty(resolve, &f.ty)))
                    .collect()
            )
        ),
        TypeDefKind::Variant(v) => format!(
            "variant {{ {} }}",
            join(
                v.cases
                    .iter()
                    .map(|c| format!("{}({})", c.name, optional(resolve, c.ty.as_ref())))
                    .collect()
            )
        ),
        TypeDefKind::Enum(e) => format!(
            "enum {{ {} }}",
            join(e.cases.iter().map(|c| c.name.clone()).collect())
        ),
        TypeDefKind::Flags(f) => format!(
            "flags {{ {} }}",
            join(f.flags.iter().map(|c| c.name.clone()).collect())
        ),
        TypeDefKind::Tuple(t) => format!(
            "tuple<{}>",
            join(t.types.iter().map(|t| ty(resolve, t)).collect())
        ),
        TypeDefKind::Option(t) => format!("option<{}>", ty(resolve, t)),
        TypeDefKind::Result(r) => format!(
            "result<{}, {}>",
            optional(resolve, r.ok.as_ref()),
            optional(resolve, r.err.as_ref())
        ),
        TypeDefKind::List(t) => format!("list<{}>", ty(resolve, t)),
        TypeDefKind::Handle(Handle::Own(id)) => format!("own<{}>", ty(resolve, &Type::Id(*id))),
        TypeDefKind::Handle(Handle::Borrow(id)) => {
            format!("borrow<{}>", ty(resolve, &Type::Id(*id)))
        }
        TypeDefKind::Resource => "resource".to_owned(),
        TypeDefKind::Type(t) => format!("= {}", ty(resolve, t)),
        other => format!("unsupported {other:?}"),
    }
}

/// Every type and function of an interface, one line each, sorted: what must match.
fn interface(resolve: &Resolve, id: InterfaceId) -> BTreeSet<String> {
    let iface = &resolve.interfaces[id];
    let types = iface
        .types
        .iter()
        .map(|(name, t)| format!("type {name} {}", kind(resolve, &resolve.types[*t].kind)));
    let functions = iface.functions.iter().map(|(name, f)| {
        let params: Vec<String> = f
            .params
            .iter()
            .map(|p| format!("{}: {}", p.name, ty(resolve, &p.ty)))
            .collect();
        format!(
            "func {name}({}) -> {}",
            params.join(", "),
            optional(resolve, f.result.as_ref())
        )
    });
    types.chain(functions).collect()
}

fn world_items(
    resolve: &Resolve,
    items: &IndexMap<WorldKey, WorldItem>,
    direction: &str,
) -> Vec<String> {
    items
        .iter()
        .map(|(key, item)| {
            let name = match key {
                WorldKey::Name(name) => name.clone(),
                WorldKey::Interface(id) => resolve.id_of(*id).unwrap_or_default(),
            };
            match item {
                WorldItem::Interface { .. } => format!("{direction} {name}"),
                WorldItem::Function(f) => format!("{direction} func {}", f.name),
                WorldItem::Type { id, .. } => format!(
                    "{direction} type {name} {}",
                    kind(resolve, &resolve.types[*id].kind)
                ),
            }
        })
        .collect()
}

/// Everything of one package, keyed by `package/interface` or `package world name`.
fn package(resolve: &Resolve, id: PackageId) -> BTreeMap<String, BTreeSet<String>> {
    let package = &resolve.packages[id];
    let mut out = BTreeMap::new();
    for (name, iface) in &package.interfaces {
        out.insert(
            format!("{}/{name}", package.name),
            interface(resolve, *iface),
        );
    }
    for (name, world) in &package.worlds {
        let world = &resolve.worlds[*world];
        let mut items = world_items(resolve, &world.imports, "import");
        items.extend(world_items(resolve, &world.exports, "export"));
        out.insert(
            format!("{} world {name}", package.name),
            items.into_iter().collect(),
        );
    }
    out
}

/// The root packages a published crate's `wit/` defines, resolved with the `deps/` it ships.
fn published_roots(dir: &Path, crate_name: &str) -> (Resolve, Vec<PackageId>) {
    let wit = dir.join("wit");
    let mut resolve = Resolve::new();
    let roots = if crate_name == "momento-functions-wit" {
        // Two packages: momento:host in wit/host, momento:functions in wit (which includes it).
        let host = resolve
            .push_dir(wit.join("host"))
            .expect("momento:host parses")
            .0;
        let functions = resolve.push_dir(&wit).expect("momento:functions parses").0;
        vec![host, functions]
    } else {
        vec![
            resolve
                .push_dir(&wit)
                .unwrap_or_else(|e| panic!("{}: {e:#}", wit.display()))
                .0,
        ]
    };
    (resolve, roots)
}

const CURRENT: &[&str] = &[
    "momento-functions-bytes",
    "momento-functions-guest-web",
    "momento-functions-guest-spawn",
    "momento-functions-cache",
    "momento-functions-cache-list",
    "momento-functions-http",
    "momento-functions-host-log",
    "momento-functions-token",
    "momento-functions-topic",
    "momento-functions-valkey",
    "momento-functions-aws-auth",
    "momento-functions-aws-ddb",
    "momento-functions-aws-s3",
    "momento-functions-aws-secrets-manager",
    "momento-functions-wit",
];

#[test]
fn wit_is_exactly_momentos_published_contract() {
    let mut ours = Resolve::new();
    let (ours_root, _) = ours
        .push_dir(Path::new(ROOT).join("wit"))
        .expect("our wit/ parses");
    let mut ours_by_key = BTreeMap::new();
    for (id, _) in &ours.packages {
        if id != ours_root {
            ours_by_key.extend(package(&ours, id));
        }
    }

    let mut published = BTreeMap::new();
    let mut sources = Vec::new();
    let current = crate_dirs(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test-guests/published"
    ));
    let older = crate_dirs(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test-guests/published-0-26"
    ));
    let wanted = CURRENT
        .iter()
        .map(|name| (*name, "0.27.0", &current))
        .chain([
            ("momento-functions-http", "0.26.0", &older),
            ("momento-functions-aws-s3", "0.26.0", &older),
        ]);
    for (name, version, dirs) in wanted {
        let dir = dirs
            .get(&(name.to_owned(), version.to_owned()))
            .unwrap_or_else(|| {
                panic!("{name} {version} is not resolved by the conformance workspaces")
            });
        let (resolve, roots) = published_roots(dir, name);
        for root in roots {
            sources.push(format!(
                "{} ({name} {version})",
                resolve.packages[root].name
            ));
            published.extend(package(&resolve, root));
        }
    }

    let mut problems = Vec::new();
    for (key, theirs) in &published {
        match ours_by_key.get(key) {
            None => problems.push(format!("missing in wit/: {key}")),
            Some(mine) if mine != theirs => {
                let only_theirs: Vec<_> = theirs.difference(mine).collect();
                let only_mine: Vec<_> = mine.difference(theirs).collect();
                problems.push(format!(
                    "{key} differs:\n    published only: {only_theirs:#?}\n    wit/ only: {only_mine:#?}"
                ));
            }
            Some(_) => {}
        }
    }
    for key in ours_by_key.keys() {
        if !published.contains_key(key) {
            problems.push(format!("in wit/ but not published: {key}"));
        }
    }
    assert!(
        problems.is_empty(),
        "wit/ drifted from the published contract:\n{}",
        problems.join("\n")
    );
    // The comparison covered every published package.
    assert_eq!(sources.len(), 18, "{sources:#?}");
    assert!(
        published.len() > 40,
        "compared {} interfaces and worlds",
        published.len()
    );
}

#[test]
fn the_drift_test_notices_a_changed_type() {
    // A guard for the comparison itself: the same interface with one field type changed renders differently.
    let render = |wit: &str| {
        let mut resolve = Resolve::new();
        let id = resolve.push_str("t.wit", wit).expect("parses");
        package(&resolve, id)
    };
    let a =
        render("package a:b@1.0.0; interface i { record r { x: u32 } f: func(r: r) -> string; }");
    let b =
        render("package a:b@1.0.0; interface i { record r { x: u64 } f: func(r: r) -> string; }");
    let c = render(
        "package a:b@1.0.0; interface i { /// a comment\n record r { x: u32 } f: func(r: r) -> string; }",
    );
    assert_ne!(a, b);
    assert_eq!(a, c, "comments do not count");
}
