# OpenAPI callbacks: the request this API sends back, documented on the operation.
from pydantic import BaseModel, HttpUrl

from transom import APIRouter, Transom


class Invoice(BaseModel):
    id: str
    customer: str
    total: float


class InvoiceEvent(BaseModel):
    description: str
    paid: bool


class InvoiceEventReceived(BaseModel):
    ok: bool


# Never included in the app: its routes only document what the callback receives.
invoices_callback_router = APIRouter()


@invoices_callback_router.post(
    "{$callback_url}/invoices/{$request.body.id}", response_model=InvoiceEventReceived
)
def invoice_notification(body: InvoiceEvent) -> None:
    pass


app = Transom()


@app.post("/invoices/", callbacks=invoices_callback_router.routes)
def create_invoice(invoice: Invoice, callback_url: HttpUrl | None = None) -> dict[str, str]:
    """Create an invoice; its payment is then notified to `callback_url`."""
    return {"msg": "Invoice received"}
