using System.Reflection;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace ConsentPlatform.ServiceDefaults;

/// <summary>
/// What a service contributes to a host: its services, its consumers, its endpoints and pages.
/// A service's own Program.cs runs one module; the all-in-one host runs all four.
/// </summary>
public sealed record PlatformModule
{
    /// <summary>Lower-case name: used for the database, the OpenAPI document and the scope.</summary>
    public required string Name { get; init; }
    public required string Title { get; init; }
    public required string Description { get; init; }
    /// <summary>The landing page speaks Japanese first: most of the people who open it work in Japan.</summary>
    public required string JapaneseTitle { get; init; }
    public required string JapaneseDescription { get; init; }
    public required Action<IHostApplicationBuilder> AddServices { get; init; }
    public Action<IBusRegistrationConfigurator> AddConsumers { get; init; } = _ => { };
    public required Action<IEndpointRouteBuilder> MapEndpoints { get; init; }
    /// <summary>Pages for organization users, listed on the host's landing page.</summary>
    public IReadOnlyList<PageLink> Pages { get; init; } = [];
    public string TitleIn(string language) => language == Recipients.RecipientLanguage.Japanese ? JapaneseTitle : Title;
    public string DescriptionIn(string language) => language == Recipients.RecipientLanguage.Japanese ? JapaneseDescription : Description;
    public Assembly Assembly => AddServices.Method.DeclaringType!.Assembly;
}

public sealed record PageLink(string Title, string JapaneseTitle, string Path)
{
    public string TitleIn(string language) => language == Recipients.RecipientLanguage.Japanese ? JapaneseTitle : Title;
}
