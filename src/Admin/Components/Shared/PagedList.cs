using AntDesign.TableModels;
using EBranch.Core.Common;

namespace EBranch.Admin.Components.Shared;

/// <summary>
/// The state behind a server-paged AntDesign table: bind <c>Items</c>, <c>Total</c>, <c>PageIndex</c>, <c>PageSize</c>
/// and <c>Loading</c> one-way, and <c>OnChange</c> to <see cref="OnTableChangeAsync"/>.
/// </summary>
public sealed class PagedList<T>(Func<int, int, Task<PagedResult<T>>> load)
{
    public IReadOnlyList<T> Items { get; private set; } = [];
    public int Total { get; private set; }
    public int PageIndex { get; private set; } = 1;
    public int PageSize { get; private set; } = 20;
    public bool Loading { get; private set; }

    /// <summary>The table also raises this when it first renders; a page already loaded is not fetched again.</summary>
    public Task OnTableChangeAsync(QueryModel<T> query)
    {
        if (query.PageIndex == PageIndex && query.PageSize == PageSize)
        {
            return Task.CompletedTask;
        }
        PageIndex = query.PageIndex;
        PageSize = query.PageSize;
        return LoadAsync();
    }

    /// <summary>New search criteria: back to the first page.</summary>
    public Task SearchAsync()
    {
        PageIndex = 1;
        return LoadAsync();
    }

    public async Task LoadAsync()
    {
        Loading = true;
        try
        {
            var page = await load(PageIndex, PageSize);
            Items = page.Items;
            Total = page.Total;
        }
        finally
        {
            Loading = false;
        }
    }
}
