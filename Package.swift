// swift-tools-version:6.0
import PackageDescription

// Module layout follows DESIGN.md ("Layout"): arrows only point down the list. Basics (the OS
// layer and general utilities) and Requests (what to solve, for which machine) sit just above
// Specs; docs/architecture.md shows the graph and Tests/ArchitectureTests keeps it true.
// Data files (Deploy's profiles and breakers, Inference's scoring core) are compiled in with
// `.embedInCode` (a `PackageResources` enum of byte arrays, no Foundation import) rather than
// shipped as resource bundles, whose `Bundle.module` accessor imports Foundation (milliseconds
// at every start).
let package = Package(
    name: "mlenv",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mlenv", targets: ["mlenv"]),
        .library(
            name: "MLEnvKit",
            targets: [
                "Basics", "Requests", "Specs", "JSON", "YAML", "ModelFiles", "Channels", "Solver", "Deploy", "Emit",
                "Inference", "Lint"
            ])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1")
    ],
    targets: [
        // System libraries from Debian (scripts/bootstrap installs them).
        .systemLibrary(name: "CLibsolv", pkgConfig: "libsolv", providers: [.apt(["libsolv-dev", "libsolvext-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),

        .target(name: "JSON"),
        // JSON for `spec --batch`'s JSON Lines protocol (SpecBatch).
        .target(name: "Specs", dependencies: ["JSON"]),
        // The OS layer and general utilities (files, processes, locks, signals, digests, dates).
        .target(
            name: "Basics",
            dependencies: ["Specs", "CLibsolv", .product(name: "SystemPackage", package: "swift-system")]),
        // What to solve and for which machine: plain values shared by Channels, Solver and Deploy.
        .target(name: "Requests", dependencies: ["Specs"]),
        .target(name: "YAML", dependencies: ["CYAML"]),
        .target(name: "ModelFiles", dependencies: ["YAML", "JSON", "Specs"]),
        // Libraries only some commands need, opened with dlopen on first use (see their headers).
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CArchive", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CSolvExt", linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "Channels",
            dependencies: ["Basics", "Requests", "Specs", "JSON", "CLibsolv", "CSolvExt", "CArchive", "CCurl"]),
        .target(
            name: "Solver", dependencies: ["Basics", "Requests", "CLibsolv", "CSolvExt", "Channels", "Specs", "JSON"]),
        .target(
            name: "Deploy", dependencies: ["ModelFiles", "Requests", "Specs", "YAML", "JSON"],
            resources: [.embedInCode("Profiles"), .embedInCode("Breakers")]),
        .target(
            name: "Emit",
            dependencies: [
                "Basics", "Requests", "Solver", "Deploy", "Channels", "ModelFiles", "Inference", "JSON", "YAML",
                "Specs", "CArchive"
            ]),
        .target(
            name: "Inference", dependencies: ["ModelFiles", "JSON"], exclude: ["Resources/README.md"],
            resources: [.embedInCode("Resources/score.py"), .embedInCode("Resources/validate.py")]),
        .target(
            name: "Lint",
            dependencies: [
                "Basics", "Requests", "ModelFiles", "Specs", "Channels", "Solver", "Deploy", "Inference", "JSON", "YAML"
            ]),
        .executableTarget(
            name: "mlenv",
            dependencies: [
                "Basics", "Requests", "ModelFiles", "Specs", "JSON", "YAML", "Inference", "Channels", "Solver",
                "Deploy", "Emit", "Lint",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),

        // Reads Package.swift and docs/architecture.md (the module graph stays documented).
        .testTarget(name: "ArchitectureTests"),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CLibsolv", "CYAML", "CArchive"]),
        .testTarget(name: "SpecsTests", dependencies: ["Specs"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"]),
        .testTarget(name: "ModelFilesTests", dependencies: ["ModelFiles"], exclude: ["Oracle"]),
        .testTarget(
            name: "ChannelsTests",
            dependencies: ["Channels", "Basics", "Requests", "Specs", "JSON", "ModelFiles", "YAML"], exclude: ["Data"]),
        .testTarget(name: "SolverTests", dependencies: ["Solver", "Channels", "Basics", "Requests", "Specs"]),
        .testTarget(
            name: "DeployTests", dependencies: ["Deploy", "ModelFiles", "Requests", "Solver", "Channels", "Specs"]),
        .testTarget(
            name: "EmitTests",
            dependencies: [
                "Emit", "Deploy", "Solver", "Channels", "Basics", "Requests", "ModelFiles", "Specs", "Inference",
                "JSON", "CArchive"
            ]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "ModelFiles", "JSON"], exclude: ["Python"]),
        .testTarget(name: "CLITests", dependencies: ["Channels", "JSON", "YAML", "mlenv"], exclude: ["Golden"]),
        .testTarget(
            name: "LintTests",
            dependencies: [
                "Lint", "ModelFiles", "Channels", "Requests", "Solver", "Deploy", "Specs", "JSON", "YAML", "mlenv"
            ],
            exclude: ["Data"])
    ]
)
