// libFuzzer harness for the JSON module (JSONParser, JSONScanner, JSONWriter). Built by
// fuzz/json/build.sh together with the JSON sources into one module (see fuzz/json/README.md);
// the target is chosen with JSON_FUZZ_TARGET (default: all of them on every input).
//
// Invariants, each a crash (so libFuzzer keeps the input) when it fails:
// - parser: an error's offset is inside the input and its line and column are >= 1;
//   parsePrefix agrees with parse on a document followed only by whitespace;
// - scanner: skipValue, readValue and the tree parser accept exactly the same documents, and
//   readValue builds the same tree as the parser; with Python literals the scanner accepts a
//   superset;
// - roundtrip: what JSONWriter prints (compact and pretty) parses back to an equal value;
// - nest: the input wrapped in N levels of arrays / objects (N from the first two bytes, up to
//   1,100) around a valid document parses exactly when it is at most 1,000 levels deep, and the
//   refusal of a deeper one is an error, never a stack overflow.

import Glibc

let fuzzTarget: String = {
    guard let raw = getenv("JSON_FUZZ_TARGET") else { return "all" }
    return String(cString: raw)
}()

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant failed: " + message()) }
}

func checkError(_ e: JSONError, _ count: Int) {
    check(e.offset >= 0 && e.offset <= count, "error offset \(e.offset) outside 0...\(count)")
    check(e.line >= 1 && e.column >= 1, "error line/column \(e.line):\(e.column)")
    _ = e.description
}

func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> JSONValue? {
    do {
        return try JSONParser.parse(bytes)
    } catch {
        checkError(error, bytes.count)
        return nil
    }
}

/// Depth of a value (1 for a scalar), iteratively.
func depth(_ value: JSONValue) -> Int {
    var deepest = 0
    var stack: [(JSONValue, Int)] = [(value, 1)]
    while let (v, d) = stack.popLast() {
        deepest = max(deepest, d)
        switch v {
        case .array(let items): for item in items { stack.append((item, d + 1)) }
        case .object(let o): for e in o.entries { stack.append((e.value, d + 1)) }
        default: break
        }
    }
    return deepest
}

func fuzzParser(_ bytes: UnsafeBufferPointer<UInt8>) {
    let whole = parse(bytes)
    do {
        let (prefix, end) = try JSONParser.parsePrefix(bytes)
        check(end > 0 && end <= bytes.count, "parsePrefix end \(end)")
        // A document followed only by whitespace: parse and parsePrefix must agree on it.
        if bytes[end...].allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) {
            check(whole == prefix, "parsePrefix and parse disagree")
        }
    } catch {
        checkError(error, bytes.count)
        check(whole == nil, "parsePrefix refuses what parse accepts")
    }
    if let whole { check(depth(whole) <= JSONParser.maximumDepth + 1, "value deeper than the limit") }
}

func fuzzScanner(_ bytes: UnsafeBufferPointer<UInt8>) {
    let tree = parse(bytes)
    var skipper = JSONScanner(bytes)
    let skipped: Bool
    do {
        let range = try skipper.skipValue()
        check(range.upperBound == skipper.offset && range.lowerBound <= range.upperBound, "skipValue range")
        try skipper.expectEnd()
        skipped = true
    } catch {
        checkError(error, bytes.count)
        skipped = false
    }
    var reader = JSONScanner(bytes)
    var read: JSONValue? = nil
    do {
        let v = try reader.readValue()
        try reader.expectEnd()
        read = v
    } catch {
        checkError(error, bytes.count)
    }
    // skipValue has no depth limit (it keeps one bit per level); the tree readers stop at 1,000.
    if let tree {
        check(skipped, "skipValue refuses a document the parser accepts")
        check(read == tree, "readValue and the parser build different trees")
    } else {
        check(read == nil, "readValue accepts a document the parser refuses")
    }
    var python = JSONScanner(bytes, pythonLiterals: true)
    do {
        _ = try python.readValue()
        try python.expectEnd()
    } catch {
        checkError(error, bytes.count)
        check(tree == nil, "the Python-literal scanner refuses a document the parser accepts")
    }
}

func fuzzRoundTrip(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let value = parse(bytes) else { return }
    for pretty in [false, true] {
        let text = value.serialized(pretty: pretty)
        let again: JSONValue
        do {
            again = try JSONValue.parse(string: text)
        } catch {
            fatalError("printed value does not parse back (pretty \(pretty)): \(error)")
        }
        check(again == value, "round trip changed the value (pretty \(pretty))")
        check(again.serialized(pretty: pretty) == text, "second print differs (pretty \(pretty))")
    }
}

func fuzzNest(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard bytes.count >= 2 else { return }
    let levels = (Int(bytes[0]) << 8 | Int(bytes[1])) % 1_101
    let inner = UnsafeBufferPointer(rebasing: bytes[2...])
    let innerValue = parse(inner)
    var doc: [UInt8] = []
    doc.reserveCapacity(levels * 6 + inner.count)
    for level in 0..<levels { doc += level % 3 == 2 ? Array(#"{"k":"#.utf8) : [UInt8(ascii: "[")] }
    doc += inner
    for level in (0..<levels).reversed() { doc.append(level % 3 == 2 ? UInt8(ascii: "}") : UInt8(ascii: "]")) }
    doc.withUnsafeBufferPointer { buffer in
        let value = parse(buffer)
        var reader = JSONScanner(buffer)
        let read = try? reader.readValue()
        if let value { _ = value.serialized(); _ = value.serialized(pretty: true) }
        // An invalid inside may still make a valid whole (`1],[2`); only a valid one is predictable.
        guard let innerValue else { return }
        if levels + depth(innerValue) - 1 <= JSONParser.maximumDepth {
            check(value != nil && read == value, "a document \(levels) + \(depth(innerValue) - 1) deep is refused")
        } else {
            check(value == nil && read == nil, "a document deeper than the limit is accepted")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    switch fuzzTarget {
    case "parser": fuzzParser(bytes)
    case "scanner": fuzzScanner(bytes)
    case "roundtrip": fuzzRoundTrip(bytes)
    case "nest": fuzzNest(bytes)
    default:
        fuzzParser(bytes)
        fuzzScanner(bytes)
        fuzzRoundTrip(bytes)
        fuzzNest(bytes)
    }
    return 0
}
