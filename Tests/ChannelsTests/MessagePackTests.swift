// The MessagePack reader of CEP 16 shards: every type the format has, and hostile input
// refused in linear time without allocating what the bytes cannot hold.

import Testing

@testable import Channels

@Suite struct MessagePackTests {
    @Test func readsEveryType() throws {
        // {"a": [1, -1, -200, 300, 1.5, true, false, nil, "é", b"\x01\x02"], "b": {}}
        let bytes: [UInt8] = [
            0x82, 0xa1, 0x61, 0x9a, 0x01, 0xff, 0xd1, 0xff, 0x38, 0xcd, 0x01, 0x2c,
            0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0xc3, 0xc2, 0xc0, 0xa2, 0xc3, 0xa9, 0xc4, 0x02, 0x01, 0x02,
            0xa1, 0x62, 0x80
        ]
        let value = try MessagePack.decode(bytes)
        #expect(
            value["a"]
                == .array([
                    .uint(1), .int(-1), .int(-200), .uint(300), .double(1.5), .bool(true), .bool(false), .null,
                    .string("é"), .binary([1, 2])
                ]))
        #expect(value["b"] == .map([]))
        // 32-bit lengths and counts, ext and fixext, float32.
        #expect(try MessagePack.decode([0xdb, 0, 0, 0, 2, 0x68, 0x69]) == .string("hi"))
        #expect(try MessagePack.decode([0xdd, 0, 0, 0, 1, 0x07]) == .array([.uint(7)]))
        #expect(try MessagePack.decode([0xd4, 0x05, 0x09]) == .ext(type: 5, data: [9]))
        #expect(try MessagePack.decode([0xca, 0x3f, 0xc0, 0, 0]) == .double(1.5))
    }

    @Test(
        arguments: [
            [0xdd, 0xff, 0xff, 0xff, 0xff],  // 4 billion items in 0 bytes
            [0xdf, 0x00, 0x10, 0x00, 0x00, 0x01],  // a million pairs in 1 byte
            [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61],  // a 4 GiB string
            [0xc6, 0x00, 0x00, 0x00, 0x09, 0x01],  // binary longer than the bytes
            [0xa2, 0xff, 0xfe],  // a string that is not UTF-8
            [0x01, 0x02],  // trailing bytes
            [0xc1],  // never used
            [0xcf, 0x01]  // truncated number
        ] as [[UInt8]])
    func refusesWhatTheBytesCannotHold(_ bytes: [UInt8]) {
        #expect(throws: MessagePackError.self) { try MessagePack.decode(bytes) }
    }

    @Test func nestingIsBounded() {
        let deep = [UInt8](repeating: 0x91, count: 100_000) + [0x01]
        #expect(throws: MessagePackError.self) { try MessagePack.decode(deep) }
        let fine = [UInt8](repeating: 0x91, count: 60) + [0x01]
        #expect((try? MessagePack.decode(fine)) != nil)
    }

    /// A shard as repodata JSON: digests back to hex, the subdir added, other keys kept as JSON.
    @Test func aShardReadsAsRepodata() throws {
        let shard = MessagePackValue.map([
            (
                .string("packages.conda"),
                .map([
                    (
                        .string("x-1-0.conda"),
                        .map([
                            (.string("name"), .string("x")), (.string("version"), .string("1")),
                            (.string("build"), .string("0")),
                            (.string("build_number"), .uint(0)), (.string("depends"), .array([.string("y >=1")])),
                            (.string("md5"), .binary([UInt8](repeating: 0xab, count: 16))),
                            (.string("sha256"), .binary([UInt8](repeating: 0x01, count: 32)))
                        ])
                    )
                ])
            ),
            (.string("removed"), .array([]))
        ])
        let json = ShardedSubdir.repodataJSON(shard, subdir: "noarch")
        #expect(json.contains("\"md5\":\"" + String(repeating: "ab", count: 16) + "\""))
        #expect(json.contains("\"sha256\":\"" + String(repeating: "01", count: 32) + "\""))
        #expect(json.hasPrefix("{\"info\":{\"subdir\":\"noarch\"},\"packages.conda\":{\"x-1-0.conda\":{"))
        #expect(!json.contains("removed"))
    }
}
