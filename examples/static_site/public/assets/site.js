// Asks the API route beside the static files and shows its answer.
fetch('/api/hello')
  .then((res) => res.json())
  .then((body) => {
    document.getElementById('api').textContent = `The API says: ${body.message}`;
  });
