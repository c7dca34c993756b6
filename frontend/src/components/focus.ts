/** Moving keyboard focus on purpose, once React has put the target on the page. */
import { useEffect, useRef } from "react";

/**
 * A ref and a `focusSoon()` that focuses it after the next render: the element
 * an action returns to (a Rename button re-enabled, a heading) may not exist
 * yet when the action finishes.
 */
export function useFocusAfterRender<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const pending = useRef(false);
  useEffect(() => {
    if (!pending.current || !ref.current) return;
    pending.current = false;
    ref.current.focus();
  });
  return {
    ref,
    focusSoon: () => {
      pending.current = true;
    },
  };
}
