using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// Minimal APIs bind a <c>[FromForm]</c> model to null when the form carries none of its fields (a
/// form posted from another site, an empty POST), although the parameter is not nullable; handlers
/// then failed on it, a 500 for input. Here such a form is what it is, a form whose every field is
/// absent, so each handler's own checks (form token, required fields) answer it and name the field.
/// </summary>
public static class EmptyFormFilter
{
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var nullability = new NullabilityInfoContext();
        var models = context.MethodInfo.GetParameters()
            .Where(p => p.GetCustomAttributes().OfType<IFromFormMetadata>().Any()
                && p.ParameterType is { IsClass: true, IsAbstract: false } && p.ParameterType != typeof(string)
                && p.ParameterType.GetConstructor(Type.EmptyTypes) is not null
                && nullability.Create(p).WriteState != NullabilityState.Nullable)
            .Select(p => (p.Position, p.ParameterType))
            .ToArray();
        if (models.Length == 0) return next;

        return invocation =>
        {
            foreach (var (position, type) in models)
                invocation.Arguments[position] ??= Activator.CreateInstance(type);
            return next(invocation);
        };
    }
}
