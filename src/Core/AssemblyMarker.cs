namespace EBranch.Core;

/// <summary>Marker type for the Core assembly (assembly scanning, test hosts).</summary>
public sealed class CoreAssembly;
