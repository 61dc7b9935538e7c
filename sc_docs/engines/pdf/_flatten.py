"""Flattening: every widget's appearance drawn into its page, the form removed, the file rewritten."""

from __future__ import annotations

from typing import Any

from sc_docs.engines.pdf._objects import copy_object, fmtn, inherited, placement


def flatten(self: Any) -> bytes:
    """Draw every widget's appearance into its page and return the file rewritten without the form."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
        StreamObject,
    )

    dropped: set[int] = set()
    for f in self.p.fields:
        for loc in f.nodes + [w.loc for w in f.widgets]:
            if loc[2] == ():
                dropped.add(loc[0])
    for page_loc in self.p.pages:
        if page_loc[0] == 0:
            continue
        page = self.original(page_loc)
        annots_raw = page.raw_get("/Annots") if "/Annots" in page else None
        if annots_raw is None:
            continue
        annots = annots_raw.get_object() or []
        keep: list[Any] = []
        draws: list[str] = []
        xobjects: dict[str, Any] = {}
        for item in annots:
            annot = item.get_object()
            if not hasattr(annot, "get") or annot.get("/Subtype") != "/Widget":
                keep.append(item)
                continue
            if isinstance(item, IndirectObject):
                annot = self.current((item.idnum, item.generation, ()))
                dropped.add(item.idnum)
            ref = appearance_ref(self, annot)
            if ref is None or int(annot.get("/F", 0) or 0) & (2 | 32):
                continue
            cm = placement(annot, self.deref(ref))
            if cm is None:
                continue
            name = f"SCFlat{len(xobjects)}"
            xobjects[name] = ref
            draws.append(f"q {' '.join(fmtn(v) for v in cm)} cm /{name} Do Q")
        if len(keep) == len(annots):
            continue
        page = self.edit(page_loc)
        if keep:
            page[NameObject("/Annots")] = ArrayObject(keep)
        else:
            page.pop("/Annots", None)
        if not draws:
            continue
        resources = copy_object(inherited(self.original(page_loc), "/Resources") or DictionaryObject())
        xdict = resources.get("/XObject")
        xdict = copy_object(xdict.get_object()) if xdict is not None else DictionaryObject()
        for name, ref in xobjects.items():
            xdict[NameObject("/" + name)] = ref
        resources[NameObject("/XObject")] = xdict
        page[NameObject("/Resources")] = resources
        contents_raw = page.raw_get("/Contents") if "/Contents" in page else None
        contents = contents_raw.get_object() if contents_raw is not None else None
        parts: list[Any] = []
        if isinstance(contents, list):
            parts = list(contents)
        elif contents is not None:
            parts = [contents_raw]
        before = StreamObject()
        before.set_data(b"q\n")
        after = StreamObject()
        after.set_data(("Q\n" + "\n".join(draws) + "\n").encode("latin-1"))
        page[NameObject("/Contents")] = ArrayObject([self.add(before), *parts, self.add(after)])
    root = self.edit(self.p.root)
    root.pop("/AcroForm", None)
    if self.p.acroform is not None and self.p.acroform[2] == ():
        dropped.add(self.p.acroform[0])
    return self._rewrite(dropped)

def appearance_ref(self: Any, annot: Any) -> Any:
    from pypdf.generic import IndirectObject

    ap: Any = self.deref(annot.raw_get("/AP")) if "/AP" in annot else None
    if not hasattr(ap, "get") or "/N" not in ap:
        return None
    normal = ap.raw_get("/N")
    target: Any = self.deref(normal)
    if hasattr(target, "get_data"):
        return normal if isinstance(normal, IndirectObject) else None
    state = annot.get("/AS")
    if state is None or state not in target:
        return None
    ref = target.raw_get(state)
    return ref if isinstance(ref, IndirectObject) else None


