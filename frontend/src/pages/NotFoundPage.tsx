import { Link } from "react-router";
import { useDocumentTitle } from "../components/ui";

export function NotFoundPage() {
  useDocumentTitle("Page not found");
  return (
    <section className="page empty">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <Link to="/" className="button button-primary">
        Go to your library
      </Link>
    </section>
  );
}
