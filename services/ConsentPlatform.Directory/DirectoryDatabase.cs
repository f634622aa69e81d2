using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.Directory;

/// <summary>
/// Directory's database. Directory is the owner of organization profiles, so it keeps them in
/// the same organization_profiles / organization_profile_revisions tables the other services
/// replicate into: here they are the authoritative copy and its history.
/// </summary>
public sealed class DirectoryDatabase(PlatformOptions options, TimeProvider? time = null) : ServiceDatabase("directory", options, time);
