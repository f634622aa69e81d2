using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace ConsentPlatform.Consent.ConsentForms;

/// <summary>Renders the real public form component for a draft, so the editor's preview is exactly what people will see.</summary>
public sealed class FormPreview(IServiceScopeFactory scopes, ILoggerFactory loggers)
{
    public async Task<string> RenderAsync(EventView draft, string language)
    {
        // The renderer needs scoped component services; one scope per render, like a request.
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<ConsentFormPage>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(ConsentFormPage.Form)] = draft,
                [nameof(ConsentFormPage.Lang)] = language,
                [nameof(ConsentFormPage.Preview)] = true,
                [nameof(ConsentFormPage.Token)] = "",
            }));
            return output.ToHtmlString();
        });
    }
}
