/** The library's search and order live in the URL (?q=&sort=): a reload or Back keeps them. */
import { useCallback, useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import type { LibrarySearch, LibrarySort } from "../api/client";

export const SORT_LABELS: Record<LibrarySort, string> = {
  newest: "Newest first",
  oldest: "Oldest first",
  title: "Title (A–Z)",
  duration: "Longest first",
  size: "Largest first",
};

const SEARCH_DELAY_MS = 300;

function isSort(value: string | null): value is LibrarySort {
  return value !== null && value in SORT_LABELS;
}

export function useLibrarySearch() {
  const [params, setParams] = useSearchParams();
  const sortParam = params.get("sort");
  const search: LibrarySearch = { q: params.get("q") ?? "", sort: isSort(sortParam) ? sortParam : "newest" };
  // What is typed runs ahead of the URL by the debounce delay. A query that
  // reaches the URL some other way (Back, a link) replaces what is typed;
  // the one this box sent does not, as typing may have gone on meanwhile.
  const [typed, setTyped] = useState(search.q);
  const [sent, setSent] = useState(search.q);
  const [seen, setSeen] = useState(search.q);
  if (seen !== search.q) {
    setSeen(search.q);
    if (search.q !== sent) setTyped(search.q);
  }

  const update = useCallback(
    (change: Partial<LibrarySearch>) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(change)) {
            if (value && !(key === "sort" && value === "newest")) next.set(key, value);
            else next.delete(key);
          }
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  useEffect(() => {
    const trimmed = typed.trim();
    if (trimmed === search.q) return;
    const timer = setTimeout(() => {
      setSent(trimmed);
      update({ q: trimmed });
    }, SEARCH_DELAY_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [typed, search.q, update]);

  return {
    search,
    typed,
    setTyped,
    setSort: (sort: LibrarySort) => {
      update({ sort });
    },
  };
}
