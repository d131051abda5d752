// Standard input, output and error as file descriptors: one write(2) loop per text, so a large
// report goes out whole and is never interleaved with another thread's line.

import Glibc

public enum StandardStreams {
    /// Writes all of `text` to standard output.
    public static func writeOutput(_ text: String) { write(text, to: STDOUT_FILENO) }

    /// Writes all of `text` to standard error.
    public static func writeError(_ text: String) { write(text, to: STDERR_FILENO) }

    /// Every byte of standard input up to its end.
    public static func readInput() -> [UInt8] { FileDescriptorIO.readAll(STDIN_FILENO) }

    static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { _ = FileDescriptorIO.writeAll(UnsafeRawBufferPointer($0), to: descriptor) }
    }
}

/// read(2) and write(2) until done, retrying when a signal interrupts them.
enum FileDescriptorIO {
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        guard var next = bytes.baseAddress else { return true }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(descriptor, next, left)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            next += n
            left -= n
        }
        return true
    }

    static func readAll(_ descriptor: Int32) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return result }
            result.append(contentsOf: buffer[0..<n])
        }
    }
}
