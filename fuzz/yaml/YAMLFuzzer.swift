// libFuzzer harness for the YAML loader (libyaml through CYAML) and the ModelFiles readers that
// use it. Built by fuzz/yaml/build.sh with the YAML, ModelFiles, JSON and Specs sources as one
// module (see fuzz/yaml/README.md); the target is chosen with YAML_FUZZ_TARGET.
//
// Targets and the invariants checked besides "never trap":
// - loader: YAMLLoader.load on the input. A tree it returns nests at most maximumDepth levels
//   and holds at most maximumNodeCount nodes; an error has a mark at line >= 1, column >= 1,
//   inside the input's lines. Every scalar is resolved (YAMLScalarValue) and written back with
//   YAMLWriter, which must load again as the same string.
// - modelfiles: byte 0 picks MLmodel, conda.yaml or python_env.yaml, the rest becomes that
//   file in a model directory whose other files are the sklearn-conda fixture's; the model is
//   loaded (ModelLoader.load) and reported (InspectionReport text and JSON).
// - all (default): both.

import Glibc

let fuzzTarget: String = {
    guard let raw = getenv("YAML_FUZZ_TARGET") else { return "all" }
    return String(cString: raw)
}()

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant failed: " + message()) }
}

func lineCount(_ bytes: [UInt8]) -> Int {
    // libyaml also breaks lines at \r, \r\n, NEL, LS and PS; count every byte that may end one.
    bytes.reduce(1) { $0 + ($1 == 0x0A || $1 == 0x0D || $1 == 0x85 || $1 == 0xA8 || $1 == 0xA9 ? 1 : 0) }
}

func fuzzLoader(_ bytes: [UInt8]) {
    let root: YAMLNode?
    do {
        root = try YAMLLoader.load(bytes)
    } catch {
        check(error.mark.line >= 1 && error.mark.column >= 1, "error mark \(error.mark)")
        check(error.mark.line <= lineCount(bytes) + 1, "error mark \(error.mark) past the last line")
        _ = error.description
        return
    }
    guard let root else { return }
    var nodes = 0
    var pending: [(YAMLNode, Int)] = [(root, 0)]
    while let (node, depth) = pending.popLast() {
        nodes += 1
        check(depth < YAMLLoader.maximumDepth, "a node at depth \(depth)")
        check(nodes <= YAMLLoader.maximumNodeCount, "more than maximumNodeCount nodes")
        check(node.mark.line >= 1 && node.mark.column >= 1, "node mark \(node.mark)")
        switch node.kind {
        case .scalar(let text, let style):
            if style == .plain { _ = YAMLScalarValue.resolvePlain(text) }
            if nodes <= 64 {
                let written = YAMLWriter.scalar(text)
                do {
                    let again = try YAMLLoader.load(string: written)
                    check(again?.scalarText == text || (text.isEmpty && again == nil),
                          "YAMLWriter.scalar(\(text.debugDescription)) = \(written.debugDescription) loads as \(String(describing: again?.scalarText))")
                } catch {
                    fatalError("YAMLWriter.scalar(\(text.debugDescription)) = \(written.debugDescription) does not load: \(error)")
                }
            }
        case .sequence(let items): for item in items { pending.append((item, depth + 1)) }
        case .mapping(let pairs): for pair in pairs { pending.append((pair.key, depth + 1)); pending.append((pair.value, depth + 1)) }
        }
    }
}

// MARK: Model files

let modelDirectory: String = {
    var template = Array("/tmp/yaml-fuzz-model-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    let path = String(cString: made)
    let fixture: [(String, String)] = [
        ("MLmodel", """
            artifact_path: model
            flavors:
              python_function:
                env:
                  conda: conda.yaml
                  virtualenv: python_env.yaml
                loader_module: mlflow.sklearn
                model_path: model.pkl
                python_version: 3.11.9
            mlflow_version: 2.17.2
            saved_input_example_info:
              artifact_path: input_example.json
              pandas_orient: split
              type: dataframe
            signature:
              inputs: '[{"type": "double", "name": "x", "required": true}]'
              outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
              params: null

            """),
        ("conda.yaml", "channels:\n- conda-forge\ndependencies:\n- python=3.11.9\n- pip<=24.2\n- pip:\n  - mlflow==2.17.2\n  - -r requirements.txt\nname: mlflow-env\n"),
        ("python_env.yaml", "python: 3.11.9\nbuild_dependencies:\n- pip==24.2\ndependencies:\n- -r requirements.txt\n"),
        ("requirements.txt", "mlflow==2.17.2\nnumpy==1.26.4\n"),
        ("input_example.json", "{\"columns\": [\"x\"], \"data\": [[1.0]]}"),
        ("model.pkl", ""),
    ]
    for (name, text) in fixture { write(Array(text.utf8), to: path + "/" + name) }
    return path
}()

let modelFileNames = ["MLmodel", "conda.yaml", "python_env.yaml"]
/// The fixture's text of each file, restored after an input replaced it.
let fixtureTexts: [String: [UInt8]] = Dictionary(uniqueKeysWithValues: modelFileNames.map { name in (name, read(modelDirectory + "/" + name)) })

func write(_ bytes: [UInt8], to path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { fatalError("cannot write \(path)") }
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { fatalError("write failed") }
        offset += n
    }
    close(fd)
}

func read(_ path: String) -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        out += buffer[0..<n]
    }
    return out
}

func fuzzModelFiles(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let name = modelFileNames[Int(first) % modelFileNames.count]
    write(Array(bytes.dropFirst()), to: modelDirectory + "/" + name)
    defer { write(fixtureTexts[name] ?? [], to: modelDirectory + "/" + name) }
    do {
        let env = try ModelLoader.load(path: modelDirectory)
        _ = InspectionReport.text(env)
        _ = InspectionReport.json(env).serialized()
    } catch {
        _ = error.description
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch fuzzTarget {
    case "loader": fuzzLoader(bytes)
    case "modelfiles": fuzzModelFiles(bytes)
    default:
        fuzzLoader(bytes)
        fuzzModelFiles(bytes)
    }
    return 0
}
