// libFuzzer harness for the bundle reader's manifest and inventory checks (Emit's
// BundleInventory), built by fuzz/bundle/build.sh with copies of BundleInventory.swift,
// Basics' FieldCheck.swift and the JSON sources as one module (see fuzz/bundle/README.md).
// The tar reader itself (TarArchive.extract over libarchive) is fuzzed through the mlenv
// binary by fuzz/bundle/fuzz_tar.py.
//
// The input is a MANIFEST.json. It is parsed as BundleRunner parses it and checked against a
// fixed bundle directory (BundleInventory.check), which must never trap. Invariants:
// - a key isPlainRelativePath accepts has no empty, `.` or `..` component, does not start with
//   `/`, and has no control character or line break: joined to the bundle root it names a
//   path inside the bundle;
// - check() lists no problem for the fixture's own files when the manifest lists each of them
//   with a sha256 (the fuzzed manifest's entries are merged in front, so they are checked too,
//   and an entry for a fixture file that is not plain or has no digest is reported).

import Glibc

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant failed: " + message()) }
}

let bundleFiles = ["MANIFEST.json", "README.md", "model/MLmodel", "env/requirements.bundle.txt", "pkgs/wheels/a-1.0-py3-none-any.whl"]
let digest = String(repeating: "ab", count: 32)

let bundleRoot: String = {
    var template = Array("/tmp/bundle-fuzz-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    let root = String(cString: made)
    for file in bundleFiles {
        var directory = root
        for component in file.split(separator: "/").dropLast() {
            directory += "/" + component
            mkdir(directory, 0o755)
        }
        let fd = open(root + "/" + file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        close(fd)
    }
    return root
}()

func fuzzManifest(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let manifest = try? JSONParser.parse(bytes) else { return }
    let problems = BundleInventory.check(root: bundleRoot, manifest: manifest)
    _ = problems.joined(separator: "\n")
    for entry in manifest["files"]?.objectValue?.entries ?? [] where BundleInventory.isPlainRelativePath(entry.key) {
        let key = entry.key
        check(!key.hasPrefix("/"), "plain path \(key.debugDescription) is absolute")
        for component in key.split(separator: "/", omittingEmptySubsequences: false) {
            check(!component.isEmpty && component != "." && component != "..", "plain path \(key.debugDescription) has component \(component.debugDescription)")
        }
        check(!key.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}" },
              "plain path \(key.debugDescription) has a control character or line break")
    }

    // The fixture's own files, listed after the fuzzed entries.
    guard var files = manifest["files"]?.objectValue else { return }
    let fuzzedKeys = Set(files.keys)
    for file in bundleFiles where file != "MANIFEST.json" { files.append(file, .string(digest)) }
    var complete = manifest.objectValue ?? JSONObject()
    complete.append("files", .object(files))
    let remaining = BundleInventory.check(root: bundleRoot, manifest: .object(complete))
    for file in bundleFiles where file != "MANIFEST.json" && !fuzzedKeys.contains(file) {
        check(!remaining.contains { $0.hasPrefix("\(file) is not listed") }, "\(file) reported unlisted although listed")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    fuzzManifest(UnsafeBufferPointer(start: data, count: size))
    return 0
}
