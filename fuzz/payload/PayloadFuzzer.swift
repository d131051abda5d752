// libFuzzer target over the payload parser and validator (Inference + JSON modules).
// Input: byte 0 picks the signature, byte 1 the protocol / content type; the rest is the body.
// Checks: no trap on any input, and the streaming scanner agrees with the tree parser about
// which bodies are valid JSON.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 2 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let signature = FuzzSignatures.all[Int(bytes[0]) % FuzzSignatures.all.count]
    let mode = bytes[1]
    let body = UnsafeBufferPointer(rebasing: bytes[2...])

    // Scanner vs parser on the same bytes (strict JSON: no Python literals).
    var scanner = JSONScanner(body)
    let scannerOK: Bool
    do {
        try scanner.skipValue()
        try scanner.expectEnd()
        scannerOK = true
    } catch {
        scannerOK = false
    }
    let parserOK = (try? JSONParser.parse(body)) != nil
    if scannerOK != parserOK {
        fatalError("JSONScanner and JSONParser disagree (scanner \(scannerOK), parser \(parserOK))")
    }
    // On a checked body the fast skip finds the same value range as the checking one.
    if scannerOK {
        var checking = JSONScanner(body)
        let range = try? checking.skipValue()
        var fast = JSONScanner(body)
        if range != fast.skipCheckedValue() { fatalError("skipCheckedValue and skipValue give different ranges") }
    }

    var options = ValidationOptions()
    switch mode % 5 {
    case 1: options.forcedProtocol = .azureml
    case 2: options.forcedProtocol = .mlflow
    case 3: options.contentType = "text/csv"
    case 4: options.strict = true
    default: break
    }
    let report = PayloadValidator(signature: signature).validate(buffer: body, options: options)
    _ = report.json.serialized()
    return 0
}

enum FuzzSignatures {
    static let all: [Signature?] = [
        nil,
        Signature(inputs: .columns([
            ColumnSpec(name: "b", type: .scalar(.boolean)), ColumnSpec(name: "i", type: .scalar(.integer)),
            ColumnSpec(name: "l", type: .scalar(.long)), ColumnSpec(name: "f", type: .scalar(.float)),
            ColumnSpec(name: "d", type: .scalar(.double)), ColumnSpec(name: "s", type: .scalar(.string)),
            ColumnSpec(name: "bin", type: .scalar(.binary)), ColumnSpec(name: "dt", type: .scalar(.datetime)),
        ]), outputs: nil, params: nil),
        Signature(inputs: .columns([
            ColumnSpec(name: "ids", type: .array(items: .scalar(.long))),
            ColumnSpec(name: "person", type: .object(properties: [ObjectProperty(name: "name", type: .scalar(.string)),
                                                                 ObjectProperty(name: "age", type: .scalar(.long), required: false)])),
            ColumnSpec(name: "scores", type: .map(values: .scalar(.double))),
            ColumnSpec(name: "nested", type: .array(items: .array(items: .any)), required: false),
        ]), outputs: nil, params: [
            ParamSpec(name: "k", type: .scalar(.long), defaultValue: .int(1), shape: nil),
            ParamSpec(name: "stop", type: .scalar(.string), defaultValue: .array([]), shape: [-1]),
            ParamSpec(name: "when", type: .scalar(.datetime), defaultValue: .null, shape: nil),
        ]),
        Signature(inputs: .columns([ColumnSpec(name: nil, type: .scalar(.double)), ColumnSpec(name: nil, type: .scalar(.long))]), outputs: nil, params: nil),
        Signature(inputs: .tensors([TensorSpec(name: nil, dtype: "float32", shape: [-1, 2, 2])]), outputs: nil, params: nil),
        Signature(inputs: .tensors([TensorSpec(name: "x", dtype: "uint8", shape: [-1, 3]), TensorSpec(name: "y", dtype: "str", shape: [-1])]), outputs: nil, params: nil),
        Signature(inputs: .tensors([TensorSpec(name: nil, dtype: "object", shape: [-1])]), outputs: nil, params: nil),
    ]
}
