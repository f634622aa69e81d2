using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.Directory.Organizations;

public static class ProfileEndpoints
{
    public static void MapProfileApi(this RouteGroupBuilder api)
    {
        api.MapGet("/organization", async Task<Results<Ok<DirectoryProfile>, ProblemHttpResult>> (HttpContext context, DirectoryDatabase database) =>
            {
                await using var connection = await database.OpenAsync(context.RequestAborted);
                return await DirectoryProfiles.FindAsync(connection, null, context.User.OrganizationId(), context.RequestAborted) is { } profile
                    ? TypedResults.Ok(profile)
                    : TypedResults.Problem(statusCode: 404, title: "No profile yet", detail: "Publish it with PUT /api/directory/organization.");
            })
            .WithSummary("The organization's public profile, with its trade names")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPut("/organization", async Task<Results<Ok<OrganizationProfileChanged>, ValidationProblem>> (
                ProfileInput input, HttpContext context, ProfilePublisher publisher) =>
            {
                var errors = input.Validate();
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                return TypedResults.Ok(await publisher.PublishAsync(context.User.OrganizationId(), input, context.RequestAborted));
            })
            .WithSummary("Publish a new revision of the organization's public profile")
            .WithDescription("Saves the profile and announces OrganizationProfileChanged to the other services (through the outbox).");
    }

    public static void MapProfilePages(this RouteGroupBuilder pages)
    {
        pages.MapGet("/organization", async (HttpContext context, IAntiforgery antiforgery, DirectoryDatabase database) =>
        {
            await using var connection = await database.OpenAsync(context.RequestAborted);
            var profile = await DirectoryProfiles.FindAsync(connection, null, context.User.OrganizationId(), context.RequestAborted);
            var input = profile is null
                ? new ProfileInput { LegalName = context.User.Identity?.Name }
                : new ProfileInput
                {
                    LegalName = profile.LegalName, Address = profile.Address, ContactPhone = profile.ContactPhone,
                    ContactEmail = profile.ContactEmail, WebsiteUrl = profile.WebsiteUrl, PrivacyPolicyUrl = profile.PrivacyPolicyUrl,
                    TradeNames = [string.Join("\n", profile.TradeNames)],
                };
            return new RazorComponentResult<ProfilePage>(new { Tokens = antiforgery.GetAndStoreTokens(context), Input = input, SignedInAs = PlatformPages.SignedInAs(context.User) });
        });

        pages.MapPost("/organization", async (HttpContext context, IAntiforgery antiforgery, ProfilePublisher publisher, [FromForm] ProfileInput input) =>
        {
            var errors = input.Validate();
            long? saved = null;
            if (errors.Count == 0)
                saved = (await publisher.PublishAsync(context.User.OrganizationId(), input, context.RequestAborted)).Revision;
            else
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return new RazorComponentResult<ProfilePage>(new
            {
                Tokens = antiforgery.GetAndStoreTokens(context), Input = input, Errors = errors, Saved = saved,
                SignedInAs = PlatformPages.SignedInAs(context.User),
            });
        });
    }
}
