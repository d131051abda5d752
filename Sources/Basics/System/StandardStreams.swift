// Standard input, output and error as swift-system file descriptors: one write loop per text
// (retried when a signal interrupts it), so a large report goes out whole and is never
// interleaved with another thread's line.

import SystemPackage

public enum StandardStreams {
    /// Writes all of `text` to standard output.
    public static func writeOutput(_ text: String) { write(text, to: .standardOutput) }

    /// Writes all of `text` to standard error.
    public static func writeError(_ text: String) { write(text, to: .standardError) }

    /// Every byte of standard input up to its end.
    public static func readInput() -> [UInt8] { FileDescriptorIO.readAll(.standardInput) }

    static func write(_ text: String, to descriptor: FileDescriptor) {
        var text = text
        text.withUTF8 { _ = FileDescriptorIO.writeAll(UnsafeRawBufferPointer($0), to: descriptor) }
    }
}

/// Whole reads and writes on a descriptor (swift-system retries a call a signal interrupts).
enum FileDescriptorIO {
    /// All of `bytes`, or false when writing fails.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: FileDescriptor) -> Bool {
        (try? descriptor.writeAll(bytes)) != nil
    }

    /// Everything up to the end (what came before an error, when reading fails).
    static func readAll(_ descriptor: FileDescriptor) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            guard let n = try? buffer.withUnsafeMutableBytes({ try descriptor.read(into: $0) }), n > 0 else {
                return result
            }
            result.append(contentsOf: buffer[0..<n])
        }
    }
}
